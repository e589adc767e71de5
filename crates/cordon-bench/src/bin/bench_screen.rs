//! Screening throughput: a bare aho-corasick DFA term scan vs Cordon's full screening pipeline,
//! same synthetic listings, same 5,000 terms, one thread, data in memory; plus precision and
//! recall on planted violations and peak memory.
//!
//! Run: `cargo run --profile bench -p cordon-bench --bin bench_screen -- --listings 1000000`

use std::hint::black_box;
use std::time::{Duration, Instant};

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use anyhow::{bail, Context, Result};
use cordon_core::text::{fold, fold_words};
use cordon_screen::{CompiledRuleSet, Listing, RuleSet, Scratch};
use cordon_transfer::NdjsonListings;
use daachorse::{CharwiseDoubleArrayAhoCorasick, DoubleArrayAhoCorasick};

use cordon_bench::Rng;

struct Args {
    listings: usize,
    chunk: usize,
    seed: u64,
    violation_rate: f64,
    terms: usize,
    sellers: usize,
    /// A Python with `pyahocorasick`, to time the same term scan in it (see README).
    python: Option<String>,
}

fn parse_args() -> Result<Args> {
    let mut a = Args { listings: 200_000, chunk: 50_000, seed: 7, violation_rate: 0.05, terms: 5_000, sellers: 1_000_000, python: None };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "--help" || flag == "-h" {
            println!(
                "bench_screen [--listings N] [--chunk N] [--seed N] [--violations RATE] [--terms N] [--sellers N] [--pyahocorasick PYTHON]"
            );
            std::process::exit(0);
        }
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--listings" => a.listings = value.parse()?,
            "--chunk" => a.chunk = value.parse()?,
            "--seed" => a.seed = value.parse()?,
            "--violations" => a.violation_rate = value.parse()?,
            "--terms" => a.terms = value.parse()?,
            "--sellers" => a.sellers = value.parse()?,
            "--pyahocorasick" => a.python = Some(value),
            _ => bail!("unknown flag {flag}"),
        }
    }
    if a.chunk == 0 || a.listings == 0 || a.terms < 200 {
        bail!("--listings and --chunk must be positive, --terms at least 200");
    }
    Ok(a)
}

const CLEAN_VI: &[&str] = &[
    "Áo thun",
    "nam",
    "nữ",
    "cotton",
    "giá rẻ",
    "chính hãng",
    "bảo hành",
    "12 tháng",
    "freeship",
    "Túi đeo",
    "Giày",
    "thể thao",
    "Điện thoại",
    "Ốp lưng",
    "Sạc",
    "nhanh",
    "Son",
    "môi",
    "Kem",
    "dưỡng",
    "da",
    "Nước hoa",
    "Quần jean",
    "Váy",
    "đầm",
    "Bình giữ nhiệt",
    "Tai nghe",
    "Máy xay",
    "sinh tố",
    "Nồi cơm điện",
    "Balo",
    "Sách",
    "tiếng Anh",
    "mới 100%",
    "full box",
    "hàng công ty",
    "đổi trả 7 ngày",
    "giao hàng toàn quốc",
    "màu đen",
    "màu trắng",
    "size M",
    "size L",
    "chất liệu",
    "cao cấp",
    "bền đẹp",
    "siêu nhẹ",
    "chống nước",
    "pin trâu",
    "khuyến mãi",
    "mua 1 tặng 1",
    "cho bé",
    "gia đình",
    "văn phòng",
    "du lịch",
    "mùa hè",
    "mùa đông",
    "Hà Nội",
    "TP HCM",
    "Đà Nẵng",
    "giao nhanh",
    "trong ngày",
    "liên hệ",
    "inbox",
    "để được tư vấn",
    "đẹp",
    "thời trang",
    "Hàn Quốc",
    "Nhật Bản",
    "dung tích",
    "500ml",
    "bằng thép",
    "không gỉ",
    "tự động",
    "thông minh",
    "có hóa đơn",
    "xuất VAT",
    "hàng chuẩn",
    "được kiểm tra",
    "trước khi nhận",
    "mẫu mới",
    "năm 2026",
];

const CLEAN_EN: &[&str] = &[
    "new",
    "original",
    "fast shipping",
    "high quality",
    "men",
    "women",
    "summer",
    "sale",
    "discount",
    "genuine",
    "warranty",
    "official store",
    "black",
    "white",
    "cotton",
    "waterproof",
    "lightweight",
    "for kids",
    "gift",
    "limited edition",
    "best seller",
    "free returns",
    "stainless steel",
    "wireless",
    "portable",
    "premium",
    "classic",
    "modern",
    "comfortable",
    "durable",
    "authentic",
    "brand new",
    "sealed",
    "in stock",
    "ships today",
];

/// Syllables for synthetic Vietnamese terms; none of them occurs in the clean vocabulary.
const SYLLABLES: &[&str] = &[
    "khướt",
    "phượng",
    "trầm",
    "xoắn",
    "vượng",
    "lạp",
    "quế",
    "ghềnh",
    "rượu",
    "sừng",
    "ngà",
    "vảy",
    "mật",
    "gấu",
    "tê",
    "tê",
    "hổ",
    "cốt",
    "nhựa",
    "thuốc",
    "lắc",
    "kẹo",
    "keo",
    "bồ",
    "đà",
    "cá",
    "ngựa",
    "yến",
    "sâm",
    "linh",
    "chi",
    "trùng",
    "thảo",
    "hương",
    "khói",
    "pháo",
    "nổ",
    "súng",
    "đạn",
    "dao",
    "kiếm",
    "xăng",
    "dầu",
    "bạc",
    "vàng",
    "quặng",
    "than",
    "gỗ",
    "trắc",
    "sưa",
    "mun",
    "cẩm",
    "lai",
    "rắn",
    "rùa",
    "voọc",
    "khỉ",
    "chim",
    "sáo",
    "vẹt",
    "phấn",
    "nụ",
    "hoa",
    "lá",
    "rễ",
    "củ",
    "hạt",
    "mầm",
    "ớt",
    "tiêu",
    "muối",
    "đường",
    "bột",
    "sữa",
    "xạ",
    "cầy",
    "hươu",
    "nai",
    "báo",
    "beo",
    "gà",
    "lôi",
    "trĩ",
    "công",
];

/// Letters for synthetic Latin terms (drug and chemical names, fake brands).
const LATIN_ONSETS: &[&str] = &["z", "x", "kr", "tr", "v", "q", "ph", "str", "gl", "br", "dr", "k"];
const LATIN_VOWELS: &[&str] = &["a", "e", "i", "o", "u", "y", "ea", "io"];
const LATIN_CODAS: &[&str] = &["x", "n", "l", "r", "z", "m", "t", "ck", "s"];

const PROHIBITED_SEEDS: &[&str] = &[
    "ma túy | ma tuy",
    "heroin",
    "cần sa | can sa",
    "thuốc lá điện tử | thuoc la dien tu",
    "vape",
    "pháo hoa",
    "pháo nổ",
    "súng hơi",
    "súng bắn bi",
    "ngà voi",
    "sừng tê giác",
    "vảy tê tê",
    "mật gấu",
    "ketamine",
    "thuốc lắc",
    "cocaine",
    "methamphetamine",
    "ma túy đá",
    "kẹo ke",
    "xyanua",
    "thuốc nổ",
    "kíp nổ",
    "dao găm",
    "bình xịt hơi cay",
    "roi điện",
    "súng điện",
];
const NO_ORIGIN_SEEDS: &[&str] = &[
    "hàng xách tay",
    "không hóa đơn",
    "hàng nội địa Trung",
    "hàng trôi nổi",
    "không nguồn gốc",
    "hàng lậu",
    "hàng nhái",
    "fake 1:1",
    "super fake",
    "rep 1:1",
    "hàng bãi",
    "không tem phụ",
];

struct Category {
    name: &'static str,
    median: f64,
    mad: f64,
}

struct Brand {
    name: String,
    category: usize,
    floor: f64,
}

/// What a planted violation is; the ground truth carries it so misses can be broken down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Plant {
    Prohibited,
    Brand,
    PriceAnomaly,
    Seller,
    Phone,
    Bank,
    Image,
}

const PLANTS: [Plant; 7] = [Plant::Prohibited, Plant::Brand, Plant::PriceAnomaly, Plant::Seller, Plant::Phone, Plant::Bank, Plant::Image];

struct World {
    categories: Vec<Category>,
    brands: Vec<Brand>,
    /// Prohibited/restricted spellings as written in the rule file (first spelling of each line).
    prohibited: Vec<String>,
    no_origin: Vec<String>,
    /// Every raw spelling in the rule file: what the bare scan looks for.
    all_terms: Vec<String>,
    watch_phones: usize,
    watch_banks: usize,
    watch_images: usize,
    sellers: usize,
    rules_text: String,
}

fn latin_word(rng: &mut Rng) -> String {
    let mut w = String::new();
    for _ in 0..2 + rng.below(2) {
        w.push_str(rng.pick::<&str>(LATIN_ONSETS));
        w.push_str(rng.pick::<&str>(LATIN_VOWELS));
    }
    w.push_str(rng.pick::<&str>(LATIN_CODAS));
    w
}

fn watch_phone(i: usize) -> String {
    format!("09{:08}", i * 7919 % 100_000_000)
}
fn watch_bank(i: usize) -> String {
    format!("1903{:08}", i * 104_729 % 100_000_000)
}
fn watch_image(i: usize) -> String {
    format!("f{:015x}", (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 4)
}

fn build_world(args: &Args, rng: &mut Rng) -> World {
    let names = [
        "watches",
        "bags",
        "shoes",
        "phones",
        "cosmetics",
        "perfume",
        "clothing",
        "electronics",
        "toys",
        "books",
        "kitchen",
        "sports",
        "jewelry",
        "glasses",
        "headphones",
        "chargers",
        "supplements",
        "auto-parts",
        "furniture",
        "stationery",
    ];
    let categories: Vec<Category> = names
        .iter()
        .map(|&name| {
            let median = (rng.range(2.0, 200.0) as u64 * 100_000) as f64;
            let mad = (median / rng.range(12.0, 16.0)).round();
            Category { name, median, mad }
        })
        .collect();

    let clean_words: std::collections::HashSet<String> =
        CLEAN_VI.iter().chain(CLEAN_EN).flat_map(|p| fold_words(p).split(' ').map(str::to_string).collect::<Vec<_>>()).collect();
    let syllables: Vec<&str> = SYLLABLES.iter().copied().filter(|s| !clean_words.contains(&fold(s))).collect();

    let mut seen = std::collections::HashSet::new();
    let mut lines_prohibited: Vec<String> = Vec::new();
    let mut lines_restricted: Vec<String> = Vec::new();
    let mut all_terms: Vec<String> = Vec::new();
    let mut add_line = |line: &str, bucket: &mut Vec<String>, all: &mut Vec<String>| -> bool {
        let key = fold_words(line);
        if key.is_empty() || !seen.insert(key) {
            return false;
        }
        for s in line.split('|') {
            all.push(s.trim().to_string());
        }
        bucket.push(line.to_string());
        true
    };
    for s in PROHIBITED_SEEDS {
        add_line(s, &mut lines_prohibited, &mut all_terms);
    }
    let mut no_origin = Vec::new();
    for s in NO_ORIGIN_SEEDS {
        add_line(s, &mut no_origin, &mut all_terms);
    }

    // Floors sit at or above the category median, so genuine branded goods never look cheap.
    let mut brands: Vec<Brand> = [
        ("Rolex", 0),
        ("Omega", 0),
        ("Chanel", 1),
        ("Gucci", 1),
        ("Louis Vuitton", 1),
        ("Nike", 2),
        ("Adidas", 2),
        ("iPhone", 3),
        ("Dior", 5),
        ("Ray-Ban", 13),
    ]
    .into_iter()
    .map(|(n, category)| Brand {
        name: n.to_string(),
        category,
        floor: (categories[category].median * rng.range(0.9, 1.5) / 1000.0).round() * 1000.0,
    })
    .collect();
    let brand_count = (args.terms / 16).max(brands.len());
    let mut dummy = Vec::new();
    for b in &brands {
        add_line(&b.name, &mut dummy, &mut all_terms);
    }
    while brands.len() < brand_count {
        let mut name = latin_word(rng);
        name[..1].make_ascii_uppercase();
        if !add_line(&name, &mut dummy, &mut all_terms) {
            continue;
        }
        let category = rng.below(categories.len());
        let floor = (categories[category].median * rng.range(0.9, 1.5) / 1000.0).round() * 1000.0;
        brands.push(Brand { name, category, floor });
    }

    while all_terms.len() < args.terms {
        let term = if rng.chance(0.6) {
            let n = 2 + rng.below(2);
            (0..n).map(|_| *rng.pick(&syllables)).collect::<Vec<_>>().join(" ")
        } else if rng.chance(0.5) {
            latin_word(rng)
        } else {
            format!("{} {}mg", latin_word(rng), 5 * (1 + rng.below(100)))
        };
        if rng.chance(0.67) {
            add_line(&term, &mut lines_prohibited, &mut all_terms);
        } else {
            add_line(&term, &mut lines_restricted, &mut all_terms);
        }
    }

    let watch_phones = 20_000;
    let watch_banks = 20_000;
    let watch_images = 20_000;
    let mut t = String::with_capacity(args.sellers * 12 + 400_000);
    use std::fmt::Write as _;
    let _ = writeln!(t, "# generated by bench_screen\nversion = bench-1\nthreshold = 0.5\n");
    let _ = writeln!(t, "[term prohibited weight=0.9]");
    for l in &lines_prohibited {
        let _ = writeln!(t, "{l}");
    }
    let _ = writeln!(t, "\n[term restricted weight=0.6]");
    for l in &lines_restricted {
        let _ = writeln!(t, "{l}");
    }
    let _ = writeln!(t, "\n[term no-origin weight=0.3]");
    for l in &no_origin {
        let _ = writeln!(t, "{l}");
    }
    for b in &brands {
        let _ = writeln!(t, "\n[brand {} floor={} category={} weight=0.8]", b.name, b.floor, categories[b.category].name);
    }
    let _ = writeln!(t, "\n[price-anomaly weight=0.6 threshold=3.5 direction=low]");
    for c in &categories {
        let _ = writeln!(t, "{} median={} mad={}", c.name, c.median, c.mad);
    }
    let _ = writeln!(t, "\n[watchlist seller weight=0.9]");
    for i in 0..args.sellers {
        let _ = writeln!(t, "ws{i}");
    }
    let _ = writeln!(t, "\n[watchlist phone weight=0.9]");
    for i in 0..watch_phones {
        let _ = writeln!(t, "{}", watch_phone(i));
    }
    let _ = writeln!(t, "\n[watchlist bank weight=0.9]");
    for i in 0..watch_banks {
        let _ = writeln!(t, "{}", watch_bank(i));
    }
    let _ = writeln!(t, "\n[image-hash weight=0.9]");
    for i in 0..watch_images {
        let _ = writeln!(t, "{}", watch_image(i));
    }

    let prohibited =
        lines_prohibited.iter().chain(&lines_restricted).map(|l| l.split('|').next().unwrap_or(l).trim().to_string()).collect();
    let no_origin = no_origin.iter().map(|l| l.split('|').next().unwrap_or(l).trim().to_string()).collect();
    World {
        categories,
        brands,
        prohibited,
        no_origin,
        all_terms,
        watch_phones,
        watch_banks,
        watch_images,
        sellers: args.sellers,
        rules_text: t,
    }
}

/// Writes a term the way an evader might: as is, without diacritics, upper case, letter by
/// letter with spaces or dots, or run together as a hashtag.
fn disguise(term: &str, rng: &mut Rng) -> String {
    let letters: String = fold(term).chars().filter(|c| c.is_alphanumeric()).collect();
    match rng.below(6) {
        0 => term.to_string(),
        1 => fold(term),
        2 => term.to_uppercase(),
        3 if letters.chars().count() <= 24 => letters.chars().map(String::from).collect::<Vec<_>>().join(" "),
        4 if letters.chars().count() <= 24 => letters.chars().map(String::from).collect::<Vec<_>>().join("."),
        5 => format!("#{letters}"),
        _ => term.to_string(),
    }
}

fn phrase(rng: &mut Rng, words: usize) -> Vec<String> {
    (0..words).map(|_| if rng.chance(0.7) { rng.pick(CLEAN_VI).to_string() } else { rng.pick(CLEAN_EN).to_string() }).collect()
}

fn insert_at_random(parts: &mut Vec<String>, item: String, rng: &mut Rng) {
    let at = rng.below(parts.len() + 1);
    parts.insert(at, item);
}

/// One listing and whether a violation was planted in it.
fn generate(world: &World, rng: &mut Rng, n: usize, violation_rate: f64) -> (Listing, Option<Plant>) {
    let cat_idx = rng.below(world.categories.len());
    let cat = &world.categories[cat_idx];
    let title_words = 4 + rng.below(6);
    let mut title = phrase(rng, title_words);
    let desc_words = 15 + rng.below(35);
    let mut desc = phrase(rng, desc_words);
    // Prices as observed: roughly normal around the median with the category's spread.
    let mut price = (cat.median + 1.4826 * cat.mad * rng.normal()).max(cat.median * 0.3).round();
    let mut category = cat.name.to_string();
    let mut seller = format!("shop{}", rng.below(200_000));
    let mut phones = vec![format!("03{:08}", rng.below(100_000_000))];
    let mut banks = vec![format!("0071{:08}", rng.below(100_000_000))];
    let mut images = vec![format!("0{:015x}", rng.next_u64() >> 4)];

    let plant = if rng.chance(violation_rate) { Some(*rng.pick(&PLANTS)) } else { None };
    match plant {
        Some(Plant::Prohibited) => {
            let term = rng.pick(&world.prohibited).clone();
            let term = disguise(&term, rng);
            if rng.chance(0.5) {
                insert_at_random(&mut title, term, rng);
            } else {
                insert_at_random(&mut desc, term, rng);
            }
        }
        Some(Plant::Brand) => {
            let b = rng.pick(&world.brands);
            let name = disguise(&b.name, rng);
            insert_at_random(&mut title, name, rng);
            category = world.categories[b.category].name.to_string();
            price = (b.floor * rng.range(0.05, 0.6)).round();
        }
        Some(Plant::PriceAnomaly) => {
            price = (cat.median - rng.range(4.5, 7.5) * cat.mad / 0.6745).round();
        }
        Some(Plant::Seller) => seller = format!("ws{}", rng.below(world.sellers)),
        Some(Plant::Phone) => {
            let p = watch_phone(rng.below(world.watch_phones));
            let written = if rng.chance(0.5) {
                format!("+84 {} {} {}", &p[1..4], &p[4..7], &p[7..])
            } else {
                format!("{}.{}.{}", &p[..4], &p[4..7], &p[7..])
            };
            // Half the sellers put the number in the text ("Zalo 0912.345.678") instead.
            if rng.chance(0.5) {
                phones[0] = written;
            } else {
                insert_at_random(&mut desc, format!("Zalo {written}"), rng);
            }
        }
        Some(Plant::Bank) => banks[0] = watch_bank(rng.below(world.watch_banks)),
        Some(Plant::Image) => images.push(watch_image(rng.below(world.watch_images))),
        None => {
            // Legitimate noise: genuine branded goods above their floor, weak no-origin phrases.
            if rng.chance(0.1) {
                let b = rng.pick(&world.brands);
                insert_at_random(&mut title, b.name.clone(), rng);
                category = world.categories[b.category].name.to_string();
                price = (b.floor * rng.range(1.1, 3.0)).round();
            }
            if rng.chance(0.03) {
                insert_at_random(&mut desc, rng.pick(&world.no_origin).clone(), rng);
            }
        }
    }
    let listing = Listing {
        platform: ["shopee", "facebook", "tiktok"][n % 3].to_string(),
        listing_id: n.to_string(),
        title: title.join(" "),
        description: desc.join(" "),
        price: Some(price),
        category: Some(category),
        seller_id: Some(seller),
        phones,
        bank_accounts: banks,
        image_hashes: images,
        ..Listing::default()
    };
    (listing, plant)
}

fn status_kib(field: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() -> Result<()> {
    let args = parse_args()?;
    let mut rng = Rng(args.seed);

    let t = Instant::now();
    let world = build_world(&args, &mut rng);
    println!(
        "generated rule file: {} terms ({} brands), {} watchlisted sellers, {:.1} MB of text, in {:.2?}",
        world.all_terms.len(),
        world.brands.len(),
        args.sellers,
        world.rules_text.len() as f64 / 1e6,
        t.elapsed()
    );

    let rss_before = status_kib("VmRSS:").unwrap_or(0);
    let t = Instant::now();
    let parsed = RuleSet::parse(&world.rules_text).context("generated rules must parse")?;
    let t_parse = t.elapsed();
    let t = Instant::now();
    let rules = CompiledRuleSet::compile(&parsed)?;
    let t_compile = t.elapsed();
    drop(parsed);
    let rss_rules = status_kib("VmRSS:").unwrap_or(0).saturating_sub(rss_before);
    println!(
        "cordon rules: parse {:.2?}, compile {:.2?}; {} automaton patterns (with variants), automaton {:.1} MB; \
         rule set resident ≈ {:.0} MB (RSS delta, rule text included)",
        t_parse,
        t_compile,
        rules.pattern_count(),
        rules.automaton_bytes() as f64 / 1e6,
        rss_rules as f64 / 1024.0
    );

    let t = Instant::now();
    let ac = AhoCorasick::builder()
        .kind(Some(AhoCorasickKind::DFA))
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::Standard)
        .build(&world.all_terms)?;
    println!("bare aho-corasick DFA: {} terms, build {:.2?}, {:.1} MB", world.all_terms.len(), t.elapsed(), ac.memory_usage() as f64 / 1e6);

    // Which automaton for the scan step: the folded patterns the pipeline uses, over text
    // folded beforehand (untimed), in three automata, all reporting overlapping matches.
    let folded_terms: Vec<String> =
        world.all_terms.iter().map(|t| fold_words(t)).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    let folded_dfa = AhoCorasick::builder().kind(Some(AhoCorasickKind::DFA)).match_kind(MatchKind::Standard).build(&folded_terms)?;
    let daac_byte: DoubleArrayAhoCorasick<u32> =
        DoubleArrayAhoCorasick::new(&folded_terms).map_err(|e| anyhow::anyhow!("daachorse: {e}"))?;
    let daac_char: CharwiseDoubleArrayAhoCorasick<u32> =
        CharwiseDoubleArrayAhoCorasick::new(&folded_terms).map_err(|e| anyhow::anyhow!("daachorse: {e}"))?;
    println!(
        "automata over folded text: aho-corasick DFA {:.1} MB, daachorse bytewise {:.1} MB, charwise {:.1} MB",
        folded_dfa.memory_usage() as f64 / 1e6,
        daac_byte.heap_bytes() as f64 / 1e6,
        daac_char.heap_bytes() as f64 / 1e6
    );
    // For the Python side: the same terms and listing texts, written as they are generated.
    let py_dir = tempfile::tempdir()?;
    let mut py_listings = match &args.python {
        Some(_) => {
            std::fs::write(py_dir.path().join("terms.txt"), world.all_terms.join("\n"))?;
            Some(std::io::BufWriter::new(std::fs::File::create(py_dir.path().join("listings.tsv"))?))
        }
        None => None,
    };
    let mut t_folded = [Duration::ZERO; 3];
    let mut folded_matches = [0usize; 3];

    let mut t_ac = Duration::ZERO;
    let mut t_stream = Duration::ZERO;
    let mut t_textless = Duration::ZERO;
    let mut t_cordon = Duration::ZERO;
    let mut bytes = 0usize;
    let mut ac_matches = 0usize;
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    let mut planted = 0usize;
    let mut missed_by_kind = std::collections::BTreeMap::<String, usize>::new();
    let mut scratch = Scratch::new();
    let mut done = 0usize;
    let mut chunk_no = 0usize;
    let mut example_miss: Option<String> = None;
    while done < args.listings {
        let n = args.chunk.min(args.listings - done);
        let batch: Vec<(Listing, Option<Plant>)> = (0..n).map(|i| generate(&world, &mut rng, done + i, args.violation_rate)).collect();
        bytes += batch.iter().map(|(l, _)| l.title.len() + l.description.len()).sum::<usize>();
        if let Some(out) = py_listings.as_mut() {
            use std::io::Write;
            for (l, _) in &batch {
                let clean = |t: &str| t.replace(['\t', '\n', '\r'], " ");
                writeln!(out, "{}\t{}", clean(&l.title), clean(&l.description))?;
            }
        }

        let run_ac = |t_ac: &mut Duration, ac_matches: &mut usize| {
            let t = Instant::now();
            let mut m = 0usize;
            for (l, _) in &batch {
                m += ac.find_iter(black_box(l.title.as_str())).count();
                m += ac.find_iter(black_box(l.description.as_str())).count();
            }
            *t_ac += t.elapsed();
            *ac_matches += black_box(m);
        };
        let mut leads = Vec::with_capacity(n);
        let mut run_cordon = |t_cordon: &mut Duration| {
            let t = Instant::now();
            for (l, _) in &batch {
                let s = rules.screen_with(black_box(l), &mut scratch);
                leads.push(s.lead);
            }
            *t_cordon += t.elapsed();
        };
        // Alternate which runs first so neither always gets the warmer cache.
        if chunk_no & 1 == 0 {
            run_ac(&mut t_ac, &mut ac_matches);
            run_cordon(&mut t_cordon);
        } else {
            run_cordon(&mut t_cordon);
            run_ac(&mut t_ac, &mut ac_matches);
        }
        // Streaming mode as `cordon screen -` runs it: NDJSON lines read one at a time from a
        // buffered reader, parsed, screened on one thread (the NDJSON is written untimed).
        let mut ndjson = Vec::with_capacity(n * 700);
        for (l, _) in &batch {
            let line = serde_json::json!({
                "platform": l.platform, "id": l.listing_id, "title": l.title, "description": l.description,
                "price": l.price, "category": l.category, "seller_id": l.seller_id,
                "phones": l.phones, "bank_accounts": l.bank_accounts, "image_hashes": l.image_hashes,
            });
            serde_json::to_writer(&mut ndjson, &line)?;
            ndjson.push(b'\n');
        }
        let t = Instant::now();
        let mut stream_leads = 0usize;
        for item in NdjsonListings::new(std::io::BufReader::new(black_box(ndjson.as_slice()))) {
            if let Ok((_, l)) = item? {
                stream_leads += usize::from(rules.screen_with(&l, &mut scratch).lead);
            }
        }
        t_stream += t.elapsed();
        if stream_leads != leads.iter().filter(|&&x| x).count() {
            bail!("streaming found {stream_leads} leads, in memory {}", leads.iter().filter(|&&x| x).count());
        }
        // The same listings without title and description: what the non-text checks cost.
        let textless: Vec<Listing> =
            batch.iter().map(|(l, _)| Listing { title: String::new(), description: String::new(), ..l.clone() }).collect();
        let t = Instant::now();
        for l in &textless {
            black_box(rules.screen_with(black_box(l), &mut scratch));
        }
        t_textless += t.elapsed();
        let folded: Vec<(String, String)> =
            batch.iter().map(|(l, _)| (format!(" {} ", fold_words(&l.title)), format!(" {} ", fold_words(&l.description)))).collect();
        for (k, t_k) in t_folded.iter_mut().enumerate() {
            let t = Instant::now();
            let mut m = 0usize;
            for (a, b) in &folded {
                for text in [a.as_str(), b.as_str()] {
                    m += match k {
                        0 => folded_dfa.find_overlapping_iter(black_box(text)).count(),
                        1 => daac_byte.find_overlapping_iter(black_box(text)).count(),
                        _ => daac_char.find_overlapping_iter(black_box(text)).count(),
                    };
                }
            }
            *t_k += t.elapsed();
            folded_matches[k] += black_box(m);
        }
        for ((l, plant), lead) in batch.iter().zip(&leads) {
            match (plant, lead) {
                (Some(_), true) => tp += 1,
                (None, true) => fp += 1,
                (Some(p), false) => {
                    fn_ += 1;
                    *missed_by_kind.entry(format!("{p:?}")).or_default() += 1;
                    if example_miss.is_none() {
                        example_miss = Some(format!("{p:?}: {} | {} | {:?}", l.title, l.description, l.price));
                    }
                }
                (None, false) => {}
            }
            planted += usize::from(plant.is_some());
        }
        done += n;
        chunk_no += 1;
    }

    let per_s = |d: Duration| args.listings as f64 / d.as_secs_f64();
    let ac_rate = per_s(t_ac);
    let cordon_rate = per_s(t_cordon);
    println!("\nlistings: {}  ({:.1} MB of title+description, {} planted violations)", args.listings, bytes as f64 / 1e6, planted);
    println!(
        "(a) bare aho-corasick DFA scan : {:>12.0} listings/s  {:>7.1} MB/s  ({} raw matches)",
        ac_rate,
        bytes as f64 / 1e6 / t_ac.as_secs_f64(),
        ac_matches
    );
    println!(
        "(b) cordon full pipeline       : {:>12.0} listings/s  {:>7.1} MB/s",
        cordon_rate,
        bytes as f64 / 1e6 / t_cordon.as_secs_f64()
    );
    println!("ratio cordon / bare DFA        : {:.2}×", cordon_rate / ac_rate);
    println!(
        "(d) cordon streaming (NDJSON)  : {:>12.0} listings/s  {:>7.1} MB/s  (read, parse, screen; {:.2}× the in-memory rate)",
        per_s(t_stream),
        bytes as f64 / 1e6 / t_stream.as_secs_f64(),
        per_s(t_stream) / cordon_rate
    );
    println!(
        "    of (b), the non-text checks : {:>12.0} listings/s  (same listings, title and description empty: {:.0}% of (b)'s time)",
        per_s(t_textless),
        100.0 * t_textless.as_secs_f64() / t_cordon.as_secs_f64()
    );
    for (k, name) in ["aho-corasick DFA", "daachorse bytewise", "daachorse charwise"].iter().enumerate() {
        println!("    scan step only, folded text, {name:<18}: {:>12.0} listings/s  ({} matches)", per_s(t_folded[k]), folded_matches[k]);
    }
    if let (Some(python), Some(out)) = (&args.python, py_listings.take()) {
        drop(out.into_inner().map_err(|e| anyhow::anyhow!("writing the listings for Python: {e}"))?);
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/python/pyac_scan.py");
        let run = std::process::Command::new(python)
            .arg(script)
            .arg(py_dir.path().join("terms.txt"))
            .arg(py_dir.path().join("listings.tsv"))
            .output()
            .with_context(|| format!("running {python}"))?;
        if !run.status.success() {
            bail!("pyahocorasick scan failed: {}", String::from_utf8_lossy(&run.stderr));
        }
        let line = String::from_utf8_lossy(&run.stdout);
        let secs: f64 = line.split_whitespace().nth(1).context("pyahocorasick printed no time")?.parse()?;
        let py_rate = args.listings as f64 / secs;
        println!("(c) pyahocorasick term scan    : {:>12.0} listings/s  {:>7.1} MB/s", py_rate, bytes as f64 / 1e6 / secs);
        println!("ratio cordon / pyahocorasick   : {:.2}×", cordon_rate / py_rate);
    }
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fn_).max(1) as f64;
    println!("precision {precision:.4}  recall {recall:.4}  (tp {tp}, fp {fp}, fn {fn_})");
    if !missed_by_kind.is_empty() {
        println!("missed by kind: {missed_by_kind:?}");
    }
    if let Some(m) = example_miss {
        println!("first miss: {m}");
    }
    println!("peak RSS (VmHWM): {:.0} MB", status_kib("VmHWM:").unwrap_or(0) as f64 / 1024.0);
    Ok(())
}
