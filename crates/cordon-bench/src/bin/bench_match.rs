//! Entity-resolution benchmark: synthetic Vietnamese and Latin person records with known duplicates.
//!
//! Reports wall time per stage, peak RSS, candidate pairs, pairwise
//! precision/recall/F1 against the generator's ground truth, and the latency
//! of resolving one new record against all existing entities.

use std::collections::HashMap;
use std::io::Write;
use std::time::{Duration, Instant};

use cordon_core::text::fold;
use cordon_match::rng::SplitMix64;
use cordon_match::{deduplicate, train, Model, PreparedRecord, Record, Resolver, Settings};

const FAMILIES: &[(&str, u32)] = &[
    ("Nguyễn", 380),
    ("Trần", 110),
    ("Lê", 95),
    ("Phạm", 71),
    ("Hoàng", 51),
    ("Huỳnh", 51),
    ("Phan", 45),
    ("Vũ", 39),
    ("Võ", 39),
    ("Đặng", 21),
    ("Bùi", 20),
    ("Đỗ", 14),
    ("Hồ", 13),
    ("Ngô", 13),
    ("Dương", 10),
    ("Lý", 5),
    ("Đinh", 5),
    ("Trịnh", 4),
    ("Trương", 4),
    ("Lâm", 3),
    ("Mai", 3),
    ("Lương", 3),
    ("Đào", 3),
    ("Đoàn", 3),
    ("Vương", 2),
    ("Cao", 2),
    ("Chu", 2),
    ("Tạ", 2),
    ("Quách", 1),
    ("Thái", 1),
    ("Tăng", 1),
    ("Lưu", 1),
    ("Tôn", 1),
    ("Kiều", 1),
    ("Bạch", 1),
    ("Mạc", 1),
    ("Khúc", 1),
    ("Diệp", 1),
    ("Lại", 1),
];
const MALE_MIDDLES: &[&str] =
    &["Văn", "Đức", "Hữu", "Minh", "Quang", "Công", "Xuân", "Thanh", "Trọng", "Quốc", "Mạnh", "Tiến", "Bá", "Đình", "Thế"];
const FEMALE_MIDDLES: &[&str] = &["Thị", "Ngọc", "Thu", "Thanh", "Kim", "Hồng", "Minh", "Bảo", "Xuân", "Phương", "Diệu", "Mỹ"];
const MALE_GIVENS: &[&str] = &[
    "An", "Anh", "Bảo", "Bình", "Cường", "Chiến", "Công", "Dũng", "Duy", "Đạt", "Đức", "Giang", "Hải", "Hiếu", "Hiệp", "Hoàng", "Hùng",
    "Hưng", "Huy", "Khải", "Khánh", "Khoa", "Kiên", "Lâm", "Long", "Lộc", "Lợi", "Mạnh", "Minh", "Nam", "Nghĩa", "Nhân", "Phát", "Phong",
    "Phúc", "Quân", "Quang", "Quý", "Sơn", "Tài", "Tâm", "Thắng", "Thành", "Thịnh", "Toàn", "Trung", "Tú", "Tuấn", "Tùng", "Việt", "Vinh",
    "Vũ", "Khang", "Trí", "Hậu", "Tín",
];
const FEMALE_GIVENS: &[&str] = &[
    "An", "Anh", "Bích", "Châu", "Chi", "Diệp", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hồng", "Huệ", "Hương",
    "Huyền", "Lan", "Liên", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Ngọc", "Nhung", "Oanh", "Phương", "Quyên", "Quỳnh", "Tâm", "Thảo",
    "Thanh", "Thủy", "Thư", "Trang", "Trinh", "Tuyết", "Uyên", "Vân", "Vy", "Xuân", "Yến", "Nhi", "Ly", "Hậu",
];
const LATIN_FIRST: &[&str] = &[
    "John",
    "Michael",
    "David",
    "James",
    "Robert",
    "William",
    "Thomas",
    "Daniel",
    "Paul",
    "Mark",
    "Maria",
    "Anna",
    "Elena",
    "Sarah",
    "Laura",
    "Olga",
    "Ivan",
    "Sergei",
    "Wei",
    "Somchai",
    "Chanthavong",
    "Sokha",
    "Dara",
    "Li",
];
const LATIN_LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Brown",
    "Miller",
    "Wilson",
    "Moore",
    "Taylor",
    "Anderson",
    "Petrov",
    "Ivanov",
    "Wang",
    "Zhang",
    "Chen",
    "Liu",
    "Sok",
    "Chan",
    "Srisuk",
    "Phommachanh",
    "Keo",
    "Lim",
    "Tan",
    "Kim",
    "Park",
    "Garcia",
];
const PROVINCES: &[&str] = &[
    "Hà Giang",
    "Tuyên Quang",
    "Lào Cai",
    "Yên Bái",
    "Lạng Sơn",
    "Cao Bằng",
    "Quảng Ninh",
    "Hải Phòng",
    "Hải Dương",
    "Bắc Giang",
    "Bắc Ninh",
    "Hà Nội",
    "Thanh Hóa",
    "Nghệ An",
    "Hà Tĩnh",
    "Quảng Bình",
    "Quảng Trị",
    "Thừa Thiên Huế",
    "Đà Nẵng",
    "Quảng Nam",
    "Quảng Ngãi",
    "Gia Lai",
    "Đắk Lắk",
    "Khánh Hòa",
    "Lâm Đồng",
    "Bình Dương",
    "Đồng Nai",
    "TP Hồ Chí Minh",
    "Bà Rịa - Vũng Tàu",
    "Tây Ninh",
    "Long An",
    "Cần Thơ",
    "An Giang",
    "Kiên Giang",
    "Cà Mau",
];
/// Old provinces and a post-2025 name for the same place, to write a moved-on-paper address.
const RENAMED: &[(&str, &str)] = &[
    ("Hà Giang", "Tuyên Quang"),
    ("Yên Bái", "Lào Cai"),
    ("Hải Dương", "Hải Phòng"),
    ("Bắc Giang", "Bắc Ninh"),
    ("Quảng Bình", "Quảng Trị"),
    ("Thừa Thiên Huế", "Huế"),
    ("Quảng Nam", "Đà Nẵng"),
    ("Bình Dương", "TP Hồ Chí Minh"),
    ("Bà Rịa - Vũng Tàu", "TP Hồ Chí Minh"),
    ("Long An", "Tây Ninh"),
    ("Kiên Giang", "An Giang"),
];
const STREETS: &[&str] = &[
    "Lê Lợi",
    "Trần Hưng Đạo",
    "Nguyễn Huệ",
    "Hai Bà Trưng",
    "Lý Thường Kiệt",
    "Quang Trung",
    "Hùng Vương",
    "Phan Chu Trinh",
    "Bạch Đằng",
    "Lê Duẩn",
];
const OLD_MOBILE: &[(&str, &str)] = &[
    ("32", "162"),
    ("33", "163"),
    ("34", "164"),
    ("35", "165"),
    ("36", "166"),
    ("37", "167"),
    ("38", "168"),
    ("39", "169"),
    ("70", "120"),
    ("79", "121"),
    ("77", "122"),
    ("76", "126"),
    ("78", "128"),
    ("83", "123"),
    ("84", "124"),
    ("85", "125"),
    ("81", "127"),
    ("82", "129"),
    ("56", "186"),
    ("58", "188"),
    ("59", "199"),
];
const NEW_MOBILE_PREFIXES: &[&str] = &[
    "32", "33", "34", "35", "36", "37", "38", "39", "70", "76", "77", "78", "79", "81", "82", "83", "84", "85", "86", "88", "89", "90",
    "91", "93", "94", "96", "97", "98",
];

/// A generated person as the truth knows it.
#[derive(Clone)]
struct Person {
    family: String,
    middle: String,
    given: String,
    latin: bool,
    year: u32,
    month: u32,
    day: u32,
    phone: Option<String>,
    cccd: Option<String>,
    street: String,
    province: &'static str,
}

struct Gen {
    rng: SplitMix64,
    family_total: u32,
}

impl Gen {
    fn new(seed: u64) -> Self {
        Gen { rng: SplitMix64::new(seed), family_total: FAMILIES.iter().map(|f| f.1).sum() }
    }
    fn below(&mut self, n: usize) -> usize {
        self.rng.below(n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.rng.below(100) < percent
    }
    fn pick<T: Copy>(&mut self, list: &[T]) -> T {
        list[self.below(list.len())]
    }
    fn family(&mut self) -> &'static str {
        let mut x = self.rng.below(u64::from(self.family_total)) as u32;
        for (f, w) in FAMILIES {
            if x < *w {
                return f;
            }
            x -= w;
        }
        FAMILIES[0].0
    }
    fn phone(&mut self) -> String {
        format!("0{}{:07}", self.pick(NEW_MOBILE_PREFIXES), self.rng.below(10_000_000))
    }
    fn person(&mut self) -> Person {
        let latin = self.chance(8);
        let (family, middle, given) = if latin {
            (self.pick(LATIN_LAST).to_owned(), String::new(), self.pick(LATIN_FIRST).to_owned())
        } else if self.chance(50) {
            (self.family().to_owned(), self.pick(MALE_MIDDLES).to_owned(), self.pick(MALE_GIVENS).to_owned())
        } else {
            let middle = if self.chance(20) {
                format!("{} {}", self.pick(FEMALE_MIDDLES), self.pick(FEMALE_MIDDLES))
            } else {
                self.pick(FEMALE_MIDDLES).to_owned()
            };
            (self.family().to_owned(), middle, self.pick(FEMALE_GIVENS).to_owned())
        };
        let year = 1950 + self.below(56) as u32;
        let month = 1 + self.below(12) as u32;
        let day = 1 + self.below(28) as u32;
        let phone = self.chance(75).then(|| self.phone());
        let cccd = self.chance(45).then(|| format!("{:03}{:09}", self.below(96) + 1, self.rng.below(1_000_000_000)));
        let street = format!("{} {}", 1 + self.below(300), self.pick(STREETS));
        Person { family, middle, given, latin, year, month, day, phone, cccd, street, province: self.pick(PROVINCES) }
    }

    fn typo(&mut self, s: &str) -> String {
        let mut c: Vec<char> = s.chars().collect();
        if c.len() < 3 {
            return s.to_owned();
        }
        let i = 1 + self.below(c.len() - 2);
        match self.below(3) {
            0 => c.swap(i, i + 1),
            1 => {
                c.remove(i);
            }
            _ => c[i] = self.pick(&['a', 'e', 'o', 'n', 'h', 'u', 'i']),
        }
        c.into_iter().collect()
    }

    /// Writes a person as one agency's record; `noisy` applies the corruptions a second agency introduces.
    fn record(&mut self, id: u64, p: &Person, noisy: bool) -> Record {
        let mut p = p.clone();
        let mut swap_order = false;
        let mut strip = false;
        let mut swap_date = false;
        let mut old_phone = false;
        let mut drop = 0;
        let mut moved = false;
        if noisy {
            let n = 1 + self.below(3);
            for _ in 0..n {
                match self.below(9) {
                    0 => {
                        if self.chance(50) {
                            p.given = self.typo(&p.given);
                        } else {
                            p.family = self.typo(&p.family);
                        }
                    }
                    1 => swap_order = true,
                    2 => strip = true,
                    3 => swap_date = true,
                    4 => moved = true,
                    5 => p.phone = self.chance(50).then(|| self.phone()),
                    6 => old_phone = true,
                    7 => drop += 1,
                    _ => {
                        // The same person's address written with the post-2025 province.
                        if let Some((_, new)) = RENAMED.iter().find(|(old, _)| *old == p.province) {
                            p.province = new;
                        }
                    }
                }
            }
        }
        if moved {
            p.street = format!("{} {}", 1 + self.below(300), self.pick(STREETS));
            p.province = self.pick(PROVINCES);
        }
        let mut name = if p.latin {
            if swap_order {
                format!("{} {}", p.family, p.given)
            } else {
                format!("{} {}", p.given, p.family)
            }
        } else if swap_order {
            format!("{} {} {}", p.given, p.family, p.middle)
        } else {
            format!("{} {} {}", p.family, p.middle, p.given)
        };
        if strip {
            name = fold(&name).to_uppercase();
        }
        let (d, m) = if swap_date && p.day <= 12 { (p.month, p.day) } else { (p.day, p.month) };
        let dob = if self.chance(15) { format!("{}-{:02}-{:02}", p.year, m, d) } else { format!("{:02}/{:02}/{}", d, m, p.year) };
        let phone = p.phone.as_ref().map(|ph| {
            let rest = &ph[1..];
            match OLD_MOBILE.iter().find(|(new, _)| rest.starts_with(new)) {
                Some((new, old)) if old_phone => format!("0{} {}", old, &rest[new.len()..]),
                _ => ph.clone(),
            }
        });
        let mut r = Record {
            id,
            name: Some(name),
            birth_date: Some(dob),
            phone,
            national_id: p.cccd.clone(),
            address: self.chance(85).then(|| format!("{}, {}", p.street, p.province)),
            ..Record::default()
        };
        for _ in 0..drop {
            match self.below(4) {
                0 => r.birth_date = None,
                1 => r.phone = None,
                2 => r.national_id = None,
                _ => r.address = None,
            }
        }
        r
    }
}

/// Records generated, then normalised together, at a time: enough to share among threads, small next to the whole.
const CHUNK: usize = 50_000;

struct Args {
    records: usize,
    queries: usize,
    threads: usize,
    seed: u64,
    write_csv: Option<String>,
    generate_only: bool,
    threshold: Option<f64>,
    show_model: bool,
    rule_stats: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        records: 100_000,
        queries: 2_000,
        threads: 2,
        seed: 42,
        write_csv: None,
        generate_only: false,
        threshold: None,
        show_model: false,
        rule_stats: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"))?.parse::<u64>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--records" => a.records = value()? as usize,
            "--queries" => a.queries = value()? as usize,
            "--threads" => a.threads = value()? as usize,
            "--seed" => a.seed = value()?,
            "--show-model" => a.show_model = true,
            "--threshold" => {
                let t = it.next().ok_or("--threshold needs a value")?;
                a.threshold = Some(t.parse().map_err(|e| format!("--threshold: {e}"))?);
            }
            "--write-csv" => a.write_csv = Some(it.next().ok_or("--write-csv needs a path")?),
            "--rule-stats" => a.rule_stats = true,
            "--generate-only" => a.generate_only = true,
            "--help" | "-h" => {
                return Err("usage: bench_match [--records N] [--queries Q] [--threads T] [--seed S] [--threshold P] [--show-model] [--rule-stats] [--write-csv PATH [--generate-only]]".into());
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if a.generate_only && a.write_csv.is_none() {
        return Err("--generate-only needs --write-csv PATH".into());
    }
    Ok(a)
}

fn write_line(w: &mut impl Write, line: &str) {
    if let Err(e) = writeln!(w, "{line}") {
        eprintln!("cannot write CSV: {e}");
        std::process::exit(1);
    }
}

/// One record as a CSV row (RFC 4180 quoting) with its ground-truth cluster, for running other tools on the same data.
fn write_csv_row(w: &mut impl Write, r: &Record, cluster: usize) {
    let q = |v: &Option<String>| match v {
        Some(s) => format!("\"{}\"", s.replace('"', "\"\"")),
        None => String::new(),
    };
    let line = format!("{},{},{},{},{},{},{}", r.id, cluster, q(&r.name), q(&r.birth_date), q(&r.phone), q(&r.national_id), q(&r.address));
    write_line(w, &line);
}

/// CPU seconds (user + system) this process has used, from /proc/self/stat at 100 ticks a second.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of them.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn rss_mib(which: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(which))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn pairs(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(msg) => {
            eprintln!("{msg}");
            std::process::exit(2);
        }
    };
    let mut g = Gen::new(args.seed);
    let originals = args.records - args.records / 10;
    let cpu_start = cpu_seconds().unwrap_or(0.0);
    // Records are normalised as they are generated so that the raw text is never all held at once.
    let t0 = Instant::now();
    let mut prepare_time = Duration::ZERO;
    // People are regenerated from their index when a duplicate needs them, instead of being kept.
    // Each person's generator is seeded through SplitMix64's output, so neighbouring indexes are unrelated.
    let person_at = |i: usize| Gen::new(SplitMix64::new(args.seed.wrapping_add(i as u64)).next_u64()).person();
    let mut prepared: Vec<PreparedRecord> = Vec::with_capacity(args.records);
    let mut truth: Vec<u32> = Vec::with_capacity(args.records);
    let mut csv = args.write_csv.as_ref().map(|path| {
        let file = std::fs::File::create(path).unwrap_or_else(|e| {
            eprintln!("cannot create {path}: {e}");
            std::process::exit(1);
        });
        let mut w = std::io::BufWriter::new(file);
        write_line(&mut w, "unique_id,cluster,name,birth_date,phone,national_id,address");
        w
    });
    let mut chunk: Vec<Record> = Vec::with_capacity(CHUNK);
    for i in 0..args.records {
        let (rec, t) = if i < originals {
            (g.record(i as u64, &person_at(i), false), i)
        } else {
            let t = g.below(originals);
            (g.record(i as u64, &person_at(t), true), t)
        };
        if let Some(out) = csv.as_mut() {
            write_csv_row(out, &rec, t);
        }
        if args.generate_only {
            continue;
        }
        chunk.push(rec);
        truth.push(t as u32);
        if chunk.len() == CHUNK || i + 1 == args.records {
            let start = Instant::now();
            prepared.extend(PreparedRecord::prepare_all(&chunk, args.threads));
            prepare_time += start.elapsed();
            chunk.clear();
        }
    }
    if let Some(mut out) = csv.take() {
        if let Err(e) = out.flush() {
            eprintln!("cannot write CSV: {e}");
            std::process::exit(1);
        }
    }
    let generated = t0.elapsed() - prepare_time;
    if args.generate_only {
        // Only the file was wanted (for running `cordon match` and other tools on the same records).
        println!(
            "bench_match: wrote {} records ({} originals) to {} in {:.2?}",
            args.records,
            originals,
            args.write_csv.as_deref().unwrap_or_default(),
            generated
        );
        return;
    }

    if args.rule_stats {
        for rule in cordon_match::BlockingRule::DEFAULT {
            let c = cordon_match::candidate_pairs(&prepared, &[*rule], Settings::default().max_block_size);
            println!("  rule {:<24} pairs {:>10}  oversized blocks {}", format!("{rule:?}"), c.pairs.len(), c.oversized_blocks);
        }
    }

    let defaults = Settings::default();
    let settings = Settings { threads: args.threads, threshold: args.threshold.unwrap_or(defaults.threshold), ..defaults };
    let mut model = Model::default();
    let t2 = Instant::now();
    let report = train(&mut model, &prepared, &settings);
    let train_time = t2.elapsed();
    if args.show_model {
        for f in cordon_match::Field::ALL {
            let p = &model.fields[f.index()];
            let w: Vec<String> =
                (0..p.m.len()).map(|l| format!("m={:.4} u={:.6} w={:+.1}", p.m[l], p.u[l], model.weight(f, l as u8))).collect();
            println!("  {:<14} {}", f.name(), w.join(" | "));
        }
    }

    let t3 = Instant::now();
    let dedupe = match deduplicate(&prepared, &model, &settings, &[]) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("dedupe failed: {e}");
            std::process::exit(1);
        }
    };
    let dedupe_time = t3.elapsed();
    let cpu_batch = cpu_seconds().unwrap_or(0.0) - cpu_start;

    if args.show_model {
        let by_id: HashMap<u64, &PreparedRecord> = prepared.iter().map(|r| (r.id, r)).collect();
        let wrong = dedupe.matches.iter().filter(|p| truth[p.a as usize] != truth[p.b as usize]).take(5);
        for p in wrong {
            println!("  false match {} ~ {} p={:.4}", p.a, p.b, p.score.probability);
            println!("    {:?}\n    {:?}", by_id[&p.a], by_id[&p.b]);
            for f in p.explain(&model).fields.iter().filter(|f| f.level.is_some()) {
                println!("    {:<14} {:<60} {:+.1}", f.field.name(), f.label, f.weight);
            }
        }
    }
    if args.show_model {
        let of = dedupe.clustering.entity_of();
        let by_id: HashMap<u64, &PreparedRecord> = prepared.iter().map(|r| (r.id, r)).collect();
        let missed = (originals..args.records).filter(|&i| of[&(i as u64)] != of[&u64::from(truth[i])]).take(8);
        for i in missed {
            let (a, b) = (by_id[&u64::from(truth[i])], by_id[&(i as u64)]);
            let (v, score) = model.score_pair(a, b);
            println!("  missed {} ~ {} p={:.4} w={:.1}", a.id, b.id, score.probability, score.weight);
            println!("    {:?}\n    {:?}", a, b);
            for f in model.explain(&v).fields.iter().filter(|f| f.level.is_some()) {
                println!("    {:<14} {:<60} {:+.1}", f.field.name(), f.label, f.weight);
            }
        }
    }
    // Pairwise precision and recall from the contingency table of predicted and true clusters.
    let mut cell: HashMap<(usize, u32), u64> = HashMap::new();
    let mut true_size: HashMap<u32, u64> = HashMap::new();
    for (e, members) in dedupe.clustering.entities.iter().enumerate() {
        for &id in members {
            let t = truth[id as usize];
            *cell.entry((e, t)).or_default() += 1;
        }
    }
    for &t in &truth {
        *true_size.entry(t).or_default() += 1;
    }
    let tp: u64 = cell.values().map(|&n| pairs(n)).sum();
    let predicted: u64 = dedupe.clustering.entities.iter().map(|m| pairs(m.len() as u64)).sum();
    let actual: u64 = true_size.values().map(|&n| pairs(n)).sum();
    let precision = tp as f64 / predicted.max(1) as f64;
    let recall = tp as f64 / actual.max(1) as f64;
    let f1 = 2.0 * precision * recall / (precision + recall).max(f64::MIN_POSITIVE);
    let matches = dedupe.matches.len();
    drop((cell, true_size, dedupe.matches));

    // Incremental: load everything, then resolve new records one at a time.
    println!(
        "  RSS after dedupe {:.0} MiB (records {} bytes each inline)",
        rss_mib("VmRSS:").unwrap_or(0.0),
        std::mem::size_of::<PreparedRecord>()
    );
    let t4 = Instant::now();
    let clustering = dedupe.clustering;
    let mut resolver = match Resolver::with_entities(model, settings, prepared, &clustering, &[]) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("resolver load failed: {e}");
            std::process::exit(1);
        }
    };
    let load_time = t4.elapsed();
    let mut latencies = Vec::with_capacity(args.queries);
    let mut joined = 0;
    for q in 0..args.queries {
        let id = (args.records + q) as u64;
        let rec = if q % 2 == 0 {
            let t = g.below(originals);
            g.record(id, &person_at(t), true)
        } else {
            let p = g.person();
            g.record(id, &p, false)
        };
        let prepared = PreparedRecord::prepare(&rec);
        let start = Instant::now();
        match resolver.resolve(prepared) {
            Ok(r) => joined += usize::from(!r.created),
            Err(e) => {
                eprintln!("resolve failed: {e}");
                std::process::exit(1);
            }
        }
        latencies.push(start.elapsed());
    }
    latencies.sort_unstable();

    println!(
        "bench_match: {} records ({} originals, {} duplicates), seed {}, threads {}",
        args.records,
        originals,
        args.records - originals,
        args.seed,
        args.threads
    );
    println!("  generate            {:>9.2?}", generated);
    println!("  prepare (normalise) {:>9.2?}", prepare_time);
    println!(
        "  train (u + 2×EM + prior) {:>9.2?}   prior {:.3e}, em pairs {}, patterns {}",
        train_time, report.em.prior, report.em_pairs, report.distinct_patterns
    );
    println!(
        "  dedupe (block+score+cluster) {:>9.2?}   pairs compared {}, oversized blocks {}, matches {}",
        dedupe_time, dedupe.pairs_compared, dedupe.oversized_blocks, matches
    );
    println!(
        "  total batch (prepare+train+dedupe) {:>9.2?}   (process CPU time from start to end of dedupe, generation included: {:.1} s)",
        prepare_time + train_time + dedupe_time,
        cpu_batch
    );
    println!("  entities {}, precision {:.4}, recall {:.4}, F1 {:.4}", clustering.entities.len(), precision, recall, f1);
    println!(
        "  resolver load {:>9.2?}; {} resolves ({} joined an entity): p50 {:?}, p99 {:?}, max {:?}",
        load_time,
        args.queries,
        joined,
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or_default()
    );
    match rss_mib("VmHWM:") {
        Some(mib) => println!("  peak RSS (VmHWM) {mib:.0} MiB"),
        None => println!("  peak RSS unavailable"),
    }
}
