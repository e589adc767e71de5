//! The words of the entity page's candidate matches, in Vietnamese and English: (key, Vietnamese, English).

/// Interface words.
pub const WORDS: &[(&str, &str, &str)] = &[
    ("match.title", "Có thể trùng với", "Possible matches"),
    ("match.none", "Chưa phát hiện đối tượng nào có thể trùng.", "No possible matches found."),
    ("match.probability", "Xác suất trùng", "Match probability"),
    ("match.status", "Tình trạng", "Status"),
    ("match.status.candidate", "Chờ xác minh", "Awaiting an analyst"),
    ("match.status.linked", "Tự động liên kết (trùng giấy tờ định danh)", "Linked automatically (same identifier)"),
    ("match.status.confirmed", "Đã xác nhận là một", "Confirmed the same"),
    ("match.status.rejected", "Đã xác định không phải một", "Not the same"),
    ("match.decided_by", "theo", "by"),
    ("match.field", "Trường", "Field"),
    ("match.level", "So khớp", "Agreement"),
    ("match.weight", "Trọng số (bit)", "Weight (bits)"),
    ("match.reason", "Lý do", "Reason"),
    ("match.do.confirm", "Xác nhận là một", "Confirm: the same"),
    ("match.do.reject", "Không phải một", "Not the same"),
    ("match.do.split", "Tách ra", "Split"),
    ("match.hidden", "Có thể trùng với một đối tượng do cơ quan sau nắm giữ:", "A possible match is held by"),
    ("match.ask_access", "đề nghị được tiếp cận trên vụ việc này", "ask for access on this case"),
];
