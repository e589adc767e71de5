//! `cordon tips import-mail` on real mailbox files: an mbox and a Maildir become tips of the
//! hotline unit, a message already taken in is not taken again, and a message that cannot be
//! read is named and skipped.

mod common;

use common::cordon;

const MBOX: &str = "From dan@example.vn Sat Nov 21 08:00:00 2026\n\
From: dan@example.vn\nSubject: =?UTF-8?Q?Bu=C3=B4n_l=E1=BA=ADu?=\nMessage-ID: <a1@example.vn>\n\n\
Xe tải chở đường cát lậu qua đường mòn Bắc Phong Sinh.\n>From the border, a second line.\n\n\
From x@example.vn Sat Nov 21 09:00:00 2026\nthis line has no colon and no blank line after it\n\
From ban@example.vn Sat Nov 21 10:00:00 2026\n\
From: ban@example.vn\nSubject: Hang gia\nMessage-ID: <a2@example.vn>\n\nCửa hàng bán mỹ phẩm giả ở chợ Móng Cái.\n";

#[test]
fn mailboxes_become_tips_once() {
    let dir = tempfile::tempdir().unwrap();
    drop(common::start(dir.path()));
    let out = cordon(
        dir.path(),
        &[
            "user",
            "add",
            "--username",
            "hotline1",
            "--display-name",
            "Trực ban",
            "--unit",
            "sco-389-national",
            "--role",
            "hotline_operator",
            "--keep-password",
        ],
        Some("a long enough password"),
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let mbox = dir.path().join("tips.mbox");
    std::fs::write(&mbox, MBOX).unwrap();
    let args = ["tips", "import-mail", "--as", "hotline1", "--mbox", mbox.to_str().unwrap()];
    let out = cordon(dir.path(), &args, None);
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("Tips taken in: 2; taken in before: 0; skipped: 1."), "{stdout}");
    assert!(stderr.contains("tips.mbox line 9: skipped"), "the unreadable message is named by its line: {stderr}");
    let again = cordon(dir.path(), &args, None);
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("Tips taken in: 0; taken in before: 2"),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );

    // A Maildir: the one new message comes in; the one already taken from the mbox does not.
    let maildir = dir.path().join("Maildir");
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    std::fs::write(maildir.join("new/1.eml"), "From: c@example.vn\nMessage-ID: <a3@example.vn>\n\nKho pháo nổ ở Đồng Đăng.\n").unwrap();
    std::fs::write(maildir.join("cur/0.eml"), "From: ban@example.vn\nMessage-ID: <a2@example.vn>\n\nCửa hàng bán mỹ phẩm giả.\n").unwrap();
    let out = cordon(dir.path(), &["tips", "import-mail", "--as", "hotline1", "--maildir", maildir.to_str().unwrap()], None);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Tips taken in: 1; taken in before: 1; skipped: 0."),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );

    // Someone who does not take tips in is refused before anything is read.
    let out = cordon(dir.path(), &["tips", "import-mail", "--as", "nobody", "--mbox", mbox.to_str().unwrap()], None);
    assert!(!out.status.success());
}
