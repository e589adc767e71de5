//! The interface's words in Vietnamese and English, and numbers and dates in each language's format.

use cordon_core::Language;

mod coordination;
mod entities;
mod requests;

/// (key, Vietnamese, English).
const WORDS: &[(&str, &str, &str)] = &[
    (
        "app.tagline",
        "Trao đổi thông tin phòng, chống buôn lậu, gian lận thương mại và hàng giả",
        "Information exchange against smuggling, trade fraud and counterfeit goods",
    ),
    ("nav.dashboard", "Tổng quan", "Dashboard"),
    ("nav.cases", "Vụ việc", "Cases"),
    ("nav.new_case", "Ghi nhận vụ việc", "Record a case"),
    ("nav.logout", "Đăng xuất", "Sign out"),
    ("nav.skip", "Bỏ qua đến nội dung chính", "Skip to main content"),
    ("lang.switch", "English", "Tiếng Việt"),
    ("login.title", "Đăng nhập", "Sign in"),
    ("login.username", "Tên đăng nhập", "Username"),
    ("login.password", "Mật khẩu", "Password"),
    ("login.submit", "Đăng nhập", "Sign in"),
    ("login.failed", "Sai tên đăng nhập hoặc mật khẩu.", "Wrong username or password."),
    ("login.limited", "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau.", "Too many failed attempts. Please try again later."),
    (
        "login.change_password",
        "Tài khoản này phải đổi mật khẩu trước (API /api/v1/auth/password).",
        "This account must change its password first (API /api/v1/auth/password).",
    ),
    (
        "session.warning",
        "Phiên làm việc sắp hết hạn. Thao tác bất kỳ để tiếp tục.",
        "Your session is about to expire. Do anything to continue.",
    ),
    ("dash.title", "Tổng quan đơn vị", "Unit dashboard"),
    ("dash.this_month", "Tháng này", "This month"),
    ("dash.same_month_last_year", "Cùng kỳ năm trước", "Same month last year"),
    ("dash.change", "Thay đổi", "Change"),
    ("dash.by_month", "Số vụ việc theo tháng (12 tháng gần nhất)", "Cases by month (last 12 months)"),
    ("dash.by_province", "Theo tỉnh, thành phố (12 tháng)", "By province (12 months)"),
    ("dash.map", "Bản đồ vụ việc theo tỉnh, thành phố (12 tháng)", "Map of cases by province (12 months)"),
    ("dash.by_commodity", "Theo mặt hàng (12 tháng)", "By commodity (12 months)"),
    ("nav.audit", "Nhật ký truy cập", "Audit log"),
    ("nav.access_requests", "Yêu cầu tiếp cận", "Access requests"),
    ("nav.admin", "Quản trị", "Administration"),
    ("nav.notices", "Thông báo", "Notices"),
    ("nav.leads", "Đầu mối TMĐT", "Leads"),
    ("nav.tips", "Tin báo", "Tips"),
    ("tips.public_title", "Gửi tin báo về buôn lậu, gian lận thương mại, hàng giả", "Report smuggling, trade fraud or counterfeit goods"),
    (
        "tips.public_intro",
        "Bạn không cần tài khoản và có thể giấu tên. Hãy cho biết bạn thấy gì, ở đâu, khi nào.",
        "You need no account and may stay anonymous. Say what you saw, where and when.",
    ),
    ("tips.body", "Nội dung tin báo", "What you saw"),
    ("tips.province", "Tỉnh, thành phố", "Province"),
    ("tips.place", "Địa điểm", "Place"),
    ("tips.violation", "Loại vi phạm", "Kind of violation"),
    ("tips.ecommerce", "Bán trên mạng (sàn TMĐT, mạng xã hội)", "Sold online (shops, social networks)"),
    ("tips.about_you", "Về bạn (không bắt buộc)", "About you (optional)"),
    ("tips.anonymous", "Để trống nếu bạn muốn giấu tên.", "Leave these empty to stay anonymous."),
    ("tips.name", "Họ tên", "Name"),
    ("tips.contact", "Số điện thoại hoặc e-mail", "Phone or e-mail"),
    ("tips.consent", "Tôi đồng ý chuyển thông tin của tôi cho đơn vị xử lý", "I agree that my details go to the unit that acts on this"),
    ("tips.send", "Gửi", "Send"),
    ("tips.check_status", "Tra cứu tin báo đã gửi", "Check a tip you sent"),
    ("tips.thanks", "Cảm ơn bạn đã gửi tin báo", "Thank you for your tip"),
    (
        "tips.keep_code",
        "Hãy lưu mã tra cứu dưới đây. Chỉ với mã này bạn mới xem được tình trạng tin báo và bổ sung thông tin; mã không được gửi lại.",
        "Keep the tracking code below. It is the only way to see your tip's status and add to it; it cannot be sent again.",
    ),
    ("tips.code", "Mã tra cứu", "Tracking code"),
    ("tips.look_up", "Tra cứu", "Look up"),
    ("tips.received", "Ngày tiếp nhận", "Received"),
    ("tips.your_additions", "Thông tin bạn đã bổ sung", "What you added"),
    ("tips.add", "Bổ sung thông tin", "Add information"),
    ("tips.no_such_code", "Không tìm thấy tin báo với mã này.", "No tip has this code."),
    ("tips.too_many", "Tra cứu quá nhiều lần. Vui lòng thử lại sau.", "Too many look-ups. Please try again later."),
    ("tips.queue", "Tin báo của đơn vị", "Your unit's tips"),
    ("tips.record_call", "Ghi nhận cuộc gọi đường dây nóng", "Record a hotline call"),
    ("tips.none", "Không có tin báo nào ở mục này.", "No tips here."),
    ("tips.channel", "Kênh", "Channel"),
    ("tips.st_received", "Mới tiếp nhận", "Received"),
    ("tips.st_routed", "Đã chuyển xử lý", "Routed"),
    ("tips.st_closed", "Đã xử lý xong", "Closed"),
    ("tips.tip", "Tin báo", "Tip"),
    ("tips.reporter", "Người báo tin", "Reporter"),
    (
        "tips.withheld",
        "Chỉ đơn vị tiếp nhận được biết (người báo tin không đồng ý chuyển)",
        "Known to the intake unit only (the reporter did not consent)",
    ),
    ("tips.anonymous_reporter", "Giấu tên", "Anonymous"),
    ("tips.routed_to", "Chuyển cho", "Routed to"),
    ("tips.from_reporter", "Người báo tin bổ sung", "Added by the reporter"),
    ("tips.note", "Ghi chú", "Note"),
    ("tips.files", "Tệp đính kèm", "Files"),
    ("tips.repeats", "Có thể trùng với tin báo trước", "May repeat earlier tips"),
    ("tips.similar_cases", "Vụ việc cùng loại, cùng địa bàn", "Cases of the same kind in the same province"),
    ("tips.triage", "Phân loại và chuyển xử lý", "Categorise and route"),
    ("tips.route_to", "Đơn vị xử lý (mã)", "Unit to act (id)"),
    ("tips.route_auto", "để trống: theo quy tắc phân công", "empty: by the routing rule"),
    ("tips.route", "Chuyển", "Route"),
    ("tips.close", "Kết thúc xử lý", "Close"),
    ("tips.out_case", "Đã lập hoặc gắn vụ việc", "Case opened or linked"),
    ("tips.out_none", "Không có căn cứ xử lý", "Nothing to act on"),
    ("tips.out_duplicate", "Trùng tin báo trước", "Repeats an earlier tip"),
    ("tips.case_id", "Mã vụ việc", "Case id"),
    ("tips.duplicate_of", "Trùng với tin báo (mã)", "Repeats tip (id)"),
    ("tips.history", "Quá trình xử lý", "History"),
    ("tips.read_code", "Đọc mã tra cứu cho người gọi:", "Read the tracking code to the caller:"),
    ("tips.record", "Ghi nhận", "Record"),
    (
        "tips.files_upload",
        "Ảnh, video hoặc tài liệu (PDF, PNG, JPEG, WebP, MP4; tối đa 5 tệp, mỗi tệp 10 MB)",
        "Photos, videos or documents (PDF, PNG, JPEG, WebP, MP4; up to 5 files of 10 MB each)",
    ),
    ("tips.known_entities", "Đối tượng đã có trong hồ sơ", "Entities already on record"),
    ("tips.held_by", "Có thể trùng đối tượng do cơ quan sau quản lý (đề nghị tiếp cận):", "A possible match held by (ask for access):"),
    ("leads.title", "Đầu mối từ giám sát thương mại điện tử", "Leads from e-commerce monitoring"),
    ("leads.none", "Không có đầu mối nào ở mục này.", "No leads here."),
    ("leads.score", "Điểm", "Score"),
    ("leads.seller", "Người bán", "Seller"),
    ("leads.platform", "Nền tảng", "Platform"),
    ("leads.listings", "Số tin đăng", "Listings"),
    ("leads.opened", "Phát hiện lúc", "Found"),
    ("leads.seen", "Số lần thấy", "Times seen"),
    ("leads.reason", "Lý do", "Reason"),
    ("leads.cluster", "Cùng một người bán trên các nền tảng khác", "The same trader on other platforms"),
    ("leads.decide", "Ghi nhận quyết định", "Record the decision"),
    ("leads.decision", "Quyết định", "Decision"),
    ("leads.open_case", "Lập vụ việc mới từ đầu mối này", "Open a new case from this lead"),
    ("leads.link_case", "Hoặc gắn vào vụ việc (mã)", "Or link to case (id)"),
    ("rules.title", "Bộ quy tắc sàng lọc", "Screening rules"),
    ("rules.text", "Nội dung bộ quy tắc", "Rule file"),
    ("rules.activate", "Áp dụng ngay sau khi lưu", "Screen with it as soon as it is saved"),
    ("rules.save", "Kiểm tra và lưu", "Check and save"),
    ("rules.refused", "Bộ quy tắc chưa được lưu vì có lỗi:", "The rules were not saved; they have errors:"),
    ("rules.line", "Dòng", "Line"),
    ("rules.versions", "Các phiên bản", "Versions"),
    ("rules.label", "Nhãn phiên bản", "Version label"),
    ("rules.active", "Đang áp dụng", "In use"),
    ("rules.use", "Áp dụng phiên bản này", "Use this version"),
    ("rules.precision", "Độ chính xác theo quy tắc", "Precision by rule"),
    ("rules.rule", "Quy tắc", "Rule"),
    ("notices.title", "Thông báo phối hợp", "Coordination notices"),
    ("notices.none", "Chưa có thông báo nào.", "No notices yet."),
    ("notices.priority", "Mức độ", "Priority"),
    ("notices.from", "Đơn vị gửi", "From"),
    ("notices.deadline", "Hạn xác nhận", "Acknowledge by"),
    ("notices.ack", "Xác nhận đã nhận", "Acknowledge"),
    ("dash.notices_open", "Thông báo chờ xác nhận", "Notices awaiting acknowledgement"),
    ("dash.notices_overdue", "Thông báo quá hạn", "Overdue notices"),
    ("entity.links", "Các đối tượng liên quan (số vụ việc chung)", "Linked entities (cases together)"),
    ("entity.cases", "Các vụ việc có đối tượng này", "Cases this entity is in"),
    (
        "admin.title",
        "Quản trị: quy chế phối hợp, nhóm chia sẻ, đơn vị, người dùng",
        "Administration: agreements, sharing groups, units, users",
    ),
    ("admin.agreements", "Quy chế phối hợp", "Coordination agreements"),
    ("admin.groups", "Nhóm chia sẻ", "Sharing groups"),
    ("admin.units", "Đơn vị", "Units"),
    ("admin.users", "Người dùng", "Users"),
    ("admin.id", "Mã", "Id"),
    ("admin.name", "Tên", "Name"),
    ("admin.name_vi", "Tên tiếng Việt", "Name in Vietnamese"),
    ("admin.name_en", "Tên tiếng Anh", "Name in English"),
    ("admin.parties", "Các bên", "Parties"),
    ("admin.personal", "Thông tin cá nhân", "Personal details"),
    ("admin.disclosed", "Được cung cấp", "Disclosed"),
    ("admin.withheld", "Giữ lại", "Withheld"),
    ("admin.valid", "Hiệu lực", "In force"),
    ("admin.valid_from", "Hiệu lực từ ngày", "In force from"),
    ("admin.valid_until", "Đến ngày (không bắt buộc)", "Until (optional)"),
    ("admin.agency", "Cơ quan", "Agency"),
    ("admin.agency_a", "Bên thứ nhất", "First party"),
    ("admin.agency_b", "Bên thứ hai", "Second party"),
    ("admin.discloses", "Cung cấp thông tin cá nhân cho nhau", "Personal details are disclosed between them"),
    ("admin.add_agreement", "Thêm quy chế", "Add the agreement"),
    ("nav.duty", "Trực ban", "Duty"),
    ("nav.network", "Mạng lưới", "Networks"),
    ("network.title", "Mạng lưới đối tượng và vụ việc", "Networks of entities and cases"),
    ("network.entity", "Bắt đầu từ đối tượng (mã)", "Start from an entity (id)"),
    ("network.hops", "Số vòng vụ việc", "Rings of cases"),
    ("network.since", "Từ ngày", "From"),
    ("network.until", "Đến ngày", "Until"),
    ("network.show", "Xem mạng lưới", "Show the network"),
    ("network.cases", "vụ việc", "cases"),
    ("network.entities", "đối tượng", "entities"),
    ("network.modularity", "độ phân cụm (modularity)", "modularity"),
    ("network.truncated", "đã cắt bớt ở giới hạn số vụ việc", "cut at the case limit"),
    ("network.drawing", "Sơ đồ (theo cộng đồng)", "Drawing (by community)"),
    ("network.path", "Đường liên hệ tới đối tượng khác", "Path to another entity"),
    ("network.to", "Tới đối tượng (mã)", "To the entity (id)"),
    ("network.find_path", "Tìm đường liên hệ", "Find the path"),
    ("network.no_path", "Không có đường liên hệ trong phạm vi bạn được xem.", "No connection within what you may see."),
    ("network.rings", "Nhóm nghi vấn (liên kết nhiều vụ việc)", "Candidate rings (connected across cases)"),
    ("network.no_rings", "Không có nhóm nào liên kết từ hai vụ việc trở lên.", "No group connects two cases or more."),
    ("network.central", "Đối tượng trung tâm", "Most central entities"),
    ("network.kind", "Loại", "Kind"),
    ("network.degree", "Số liên kết", "Links"),
    ("network.betweenness", "Trung gian (betweenness)", "Betweenness"),
    ("network.community", "Cộng đồng", "Community"),
    ("entity.network", "Xem mạng lưới quanh đối tượng", "The network around this entity"),
    ("duty.title", "Trực ban và ủy quyền", "Duty and delegations"),
    ("duty.now", "Đang trực", "On duty now"),
    ("duty.nobody", "Không ai đang trực: tin quá hạn chuyển lên trưởng đơn vị.", "Nobody is on duty: late notices go to the unit head."),
    ("duty.roster", "Lịch trực", "Roster"),
    ("duty.officer", "Cán bộ", "Officer"),
    ("duty.from", "Từ", "From"),
    ("duty.until", "Đến", "Until"),
    ("duty.note", "Ghi chú", "Note"),
    ("duty.add_shift", "Thêm ca trực", "Add the shift"),
    ("duty.delegations", "Ủy quyền", "Delegations"),
    ("duty.head", "Trưởng đơn vị", "Head"),
    ("duty.deputy", "Người được ủy quyền", "Deputy"),
    ("duty.period", "Thời hạn", "Period"),
    ("duty.scope", "Phạm vi ủy quyền", "Scope"),
    ("duty.reason", "Lý do", "Reason"),
    ("duty.delegate", "Ủy quyền", "Delegate"),
    ("admin.report_templates", "Mẫu báo cáo", "Report templates"),
    ("admin.template_scope", "Áp dụng cho", "For"),
    ("admin.template_country", "Báo cáo toàn quốc (và cơ quan chưa có mẫu riêng)", "The country (and agencies without their own)"),
    ("admin.template_title", "Tiêu đề", "Title"),
    ("admin.template_authority", "Cơ quan ban hành (mỗi dòng một cấp)", "Issuing authority (a line per level)"),
    ("admin.template_introduction", "Phần mở đầu", "Introduction"),
    ("admin.template_closing", "Phần kết (nơi nhận, người ký)", "Closing (recipients, signature)"),
    ("admin.template_sections", "Các phần của báo cáo", "Sections"),
    ("admin.section.by_period", "Diễn biến theo thời gian", "Over time"),
    ("admin.section.by_province", "Theo địa bàn", "By province"),
    ("admin.section.by_commodity", "Theo mặt hàng", "By commodity"),
    ("admin.section.by_case_type", "Theo loại vi phạm", "By violation type"),
    ("admin.save_template", "Lưu mẫu báo cáo", "Save the template"),
    ("admin.ack_windows", "Thời hạn xác nhận", "Acknowledgement windows"),
    (
        "admin.ack_urgent",
        "Tin khẩn phải xác nhận trong (phút, tối đa 10; không bắt buộc)",
        "Urgent notices acknowledged within (minutes, at most 10; optional)",
    ),
    ("admin.group_owner", "Cơ quan quản lý nhóm", "Managing agency"),
    ("admin.members", "Thành viên (không hiển thị cho nhau)", "Members (not shown to each other)"),
    ("admin.add_group", "Tạo nhóm", "Create the group"),
    ("admin.add_unit", "Thêm đơn vị", "Add the unit"),
    ("admin.unit", "Đơn vị", "Unit"),
    ("admin.roles", "Vai trò", "Roles"),
    ("admin.initial_password", "Mật khẩu ban đầu (phải đổi khi đăng nhập lần đầu)", "Initial password (to be changed at first sign-in)"),
    ("admin.add_user", "Thêm người dùng", "Add the user"),
    ("admin.taken", "đã tồn tại", "already exists"),
    ("access.title", "Yêu cầu tiếp cận thông tin cá nhân", "Requests for access to personal details"),
    ("access.none", "Chưa có yêu cầu nào.", "No requests yet."),
    ("access.request", "Đề nghị cung cấp thông tin", "Request access"),
    ("access.reason", "Lý do (nhiệm vụ, nhu cầu cần biết)", "Reason (the task, the need to know)"),
    ("access.from", "Đơn vị đề nghị", "Requested by"),
    ("field.case", "Vụ việc", "Case"),
    ("access.status", "Trạng thái", "Status"),
    ("access.decision_reason", "Lý do quyết định", "Reason for the decision"),
    ("access.grant", "Đồng ý", "Grant"),
    ("access.refuse", "Từ chối", "Refuse"),
    ("audit.title", "Nhật ký truy cập: ai đã xem, sửa gì, khi nào", "Audit log: who looked at or changed what, when"),
    ("audit.object", "Đối tượng (mã vụ việc, người…)", "Object (case id, person…)"),
    ("audit.actor", "Người thực hiện (mã người dùng)", "Actor (user id)"),
    ("audit.when", "Thời điểm", "When"),
    ("audit.unit", "Đơn vị", "Unit"),
    ("audit.action", "Hành động", "Action"),
    ("audit.outcome", "Kết quả", "Outcome"),
    ("dash.by_status", "Vụ việc theo trạng thái", "Cases by status"),
    ("dash.recent", "Vụ việc mới nhất", "Latest cases"),
    ("dash.visible", "Số vụ việc bạn được xem", "Cases you may see"),
    ("cases.title", "Vụ việc", "Cases"),
    ("cases.search", "Tìm kiếm (có hoặc không dấu)", "Search (with or without diacritics)"),
    ("cases.filter", "Lọc", "Filter"),
    ("cases.any", "Tất cả", "Any"),
    ("cases.none", "Không có vụ việc nào.", "No cases."),
    ("cases.next", "Trang sau", "Next page"),
    ("field.reference", "Số hiệu", "Reference"),
    ("field.title", "Tiêu đề", "Title"),
    ("field.summary", "Nội dung", "Summary"),
    ("field.case_type", "Loại vi phạm", "Violation type"),
    ("field.status", "Trạng thái", "Status"),
    ("field.detected_at", "Thời điểm phát hiện", "Detected"),
    ("field.province", "Tỉnh, thành phố", "Province"),
    ("field.port", "Cửa khẩu, cảng", "Border gate or port"),
    ("field.value", "Trị giá", "Value"),
    ("field.tlp", "Mức chia sẻ (TLP)", "Handling code (TLP)"),
    ("field.distribution", "Chia sẻ với", "Shared with"),
    ("field.goods", "Hàng hóa", "Goods"),
    ("field.description", "Mô tả", "Description"),
    ("field.category", "Nhóm hàng", "Category"),
    ("field.quantity", "Số lượng", "Quantity"),
    ("field.unit", "Đơn vị tính", "Unit"),
    ("field.hs_code", "Mã HS", "HS code"),
    ("field.value_vnd", "Trị giá (đồng)", "Value (VND)"),
    ("field.parties", "Đối tượng", "Parties"),
    ("field.evidence", "Tài liệu, chứng cứ", "Evidence files"),
    ("field.party_name", "Họ tên đối tượng", "Party's name"),
    ("field.party_cccd", "Số CCCD", "Citizen ID (CCCD)"),
    ("field.party_role", "Vai trò", "Role"),
    ("field.plate", "Biển kiểm soát", "Vehicle plate"),
    ("field.concealment", "Thủ đoạn cất giấu", "Concealment"),
    ("field.owner", "Đơn vị ghi nhận", "Recording unit"),
    ("field.lead", "Cơ quan chủ trì", "Lead agency"),
    ("field.held_by", "do cơ quan nắm giữ", "held by"),
    (
        "field.withheld",
        "Thông tin cá nhân được giữ lại theo quy chế phối hợp",
        "Personal identifiers withheld under the coordination agreement",
    ),
    ("field.disclosed_under", "Được cung cấp theo", "Disclosed under"),
    ("field.timeline", "Diễn biến", "Timeline"),
    ("field.handling", "Điều kiện xử lý", "Handling conditions"),
    ("share.own_unit", "Chỉ đơn vị tôi", "My unit only"),
    ("share.own_agency", "Toàn ngành (cơ quan tôi)", "My whole agency"),
    ("share.border_guard", "Bộ đội Biên phòng", "Border Guard"),
    ("share.police", "Công an", "Police"),
    ("share.market", "Quản lý thị trường", "Market Surveillance"),
    ("share.all_domestic", "Tất cả cơ quan trong nước", "All domestic agencies"),
    ("share.international", "Đối tác quốc tế", "International partners"),
    ("form.save", "Lưu vụ việc", "Save the case"),
    ("form.edit", "Sửa vụ việc", "Edit the case"),
    ("form.bad_date", "Nhập ngày giờ phát hiện", "Enter the date and time of detection"),
    (
        "form.stale",
        "Vụ việc đã được người khác sửa sau khi bạn mở. Hãy tải lại và sửa lại.",
        "Someone else changed this case after you opened it. Reload it and make your change again.",
    ),
    ("form.errors", "Vui lòng sửa các lỗi được đánh dấu.", "Please correct the marked fields."),
    ("form.required", "bắt buộc", "required"),
    ("error.not_found", "Không tìm thấy (hoặc bạn không được xem).", "Not found (or not shared with you)."),
    ("error.generic", "Đã có lỗi; không có gì bị thay đổi.", "Something went wrong; nothing was changed."),
];

/// The word for `key` in `lang`; `?` if it is missing (a test keeps none missing).
pub fn t(lang: Language, key: &str) -> &'static str {
    match WORDS.iter().chain(requests::WORDS).chain(coordination::WORDS).chain(entities::WORDS).find(|(k, _, _)| *k == key) {
        Some((_, vi, en)) => match lang {
            Language::Vi => vi,
            Language::En => en,
        },
        None => "?",
    }
}

/// A label for a coded value (status, type…) in `lang`.
pub fn code_label(lang: Language, code: &str) -> &'static str {
    const LABELS: &[(&str, &str, &str)] = &[
        ("reported", "Mới ghi nhận", "Reported"),
        ("pending", "Chờ quyết định", "Pending"),
        ("escalated", "Quá hạn, đã chuyển lên", "Overdue, escalated"),
        ("acknowledged", "Đã xác nhận", "Acknowledged"),
        ("action_reported", "Đã báo cáo kết quả", "Action reported"),
        ("urgent", "Khẩn", "Urgent"),
        (
            "escalations",
            "Nhận tin gửi trưởng đơn vị (quá hạn, hoặc khi không ai trực)",
            "Notices for the head (late, or while nobody is on duty)",
        ),
        ("pursuit_decisions", "Quyết định truy đuổi", "Pursuit decisions"),
        ("handover_decisions", "Quyết định bàn giao vụ việc", "Handover decisions"),
        ("high", "Cao", "High"),
        ("normal", "Thường", "Normal"),
        ("officer", "Cán bộ", "Officer"),
        ("analyst", "Phân tích viên", "Analyst"),
        ("unit_head", "Trưởng đơn vị", "Unit head"),
        ("deputy_head", "Phó trưởng đơn vị", "Deputy head"),
        ("liaison_officer", "Cán bộ liên lạc", "Liaison officer"),
        ("hotline_operator", "Trực đường dây nóng", "Hotline operator"),
        ("auditor", "Kiểm tra viên", "Auditor"),
        ("administrator", "Quản trị viên", "Administrator"),
        ("open", "Chờ xử lý", "Open"),
        ("confirmed", "Đã xác nhận vi phạm", "Confirmed"),
        ("dismissed", "Không xử lý", "Dismissed"),
        ("false_positive", "Cảnh báo sai", "False positive"),
        ("granted", "Đã đồng ý", "Granted"),
        ("refused", "Đã từ chối", "Refused"),
        ("verified", "Đã xác minh", "Verified"),
        ("seized", "Đã tạm giữ", "Seized"),
        ("administratively_handled", "Đã xử phạt hành chính", "Administratively handled"),
        ("transferred_for_investigation", "Đã chuyển cơ quan điều tra", "Transferred for investigation"),
        ("prosecuted", "Đã khởi tố", "Prosecuted"),
        ("closed", "Đã đóng", "Closed"),
        ("smuggling", "Buôn lậu", "Smuggling"),
        ("illegal_transport", "Vận chuyển trái phép qua biên giới", "Illegal cross-border transport"),
        ("trade_fraud", "Gian lận thương mại", "Trade fraud"),
        ("counterfeit", "Hàng giả", "Counterfeit goods"),
        ("ip_infringement", "Xâm phạm sở hữu trí tuệ", "IP infringement"),
        ("drugs_precursors", "Ma túy, tiền chất", "Drugs and precursors"),
        ("wildlife", "Động vật hoang dã", "Wildlife"),
        ("currency_gold", "Tiền tệ, vàng", "Currency and gold"),
        ("ecommerce", "Thương mại điện tử", "E-commerce"),
        ("other", "Khác", "Other"),
        ("suspect", "Nghi phạm", "Suspect"),
        ("owner", "Chủ hàng/phương tiện", "Owner"),
        ("driver", "Lái xe", "Driver"),
        ("consignee", "Người nhận hàng", "Consignee"),
        ("shipper", "Người gửi hàng", "Shipper"),
        ("seller", "Người bán", "Seller"),
        ("witness", "Người làm chứng", "Witness"),
        ("person", "Cá nhân", "Person"),
        ("company", "Doanh nghiệp", "Company"),
        ("vehicle", "Phương tiện", "Vehicle"),
        ("vessel", "Tàu thuyền", "Vessel"),
        ("phone", "Số điện thoại", "Phone"),
        ("bank_account", "Tài khoản ngân hàng", "Bank account"),
        ("seller_account", "Tài khoản bán hàng", "Seller account"),
        ("case", "Vụ việc", "Case"),
        ("created", "Ghi nhận", "Recorded"),
        ("updated", "Cập nhật", "Updated"),
        ("status_changed", "Chuyển trạng thái", "Status changed"),
        ("party_added", "Thêm đối tượng", "Party added"),
    ];
    match LABELS.iter().chain(requests::LABELS).chain(coordination::LABELS).find(|(c, _, _)| *c == code) {
        Some((_, vi, en)) => match lang {
            Language::Vi => vi,
            Language::En => en,
        },
        None => "",
    }
}

/// A whole number grouped the language's way: 1.234.567 in Vietnamese, 1,234,567 in English.
pub fn number(lang: Language, n: i64) -> String {
    let sep = if lang == Language::Vi { '.' } else { ',' };
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

/// An amount in dong: "1.234.567 ₫".
pub fn money(lang: Language, vnd: i64) -> String {
    format!("{} ₫", number(lang, vnd))
}

/// A date and time in Vietnam time (UTC+7), dd/mm/yyyy hh:mm.
pub fn datetime(ms: i64) -> String {
    let (y, m, d, hh, mm) = cordon_core::time::civil(ms);
    format!("{d:02}/{m:02}/{y:04} {hh:02}:{mm:02}")
}

/// A refusal's reason in the user's language. The domain words its reasons in English (the
/// API's language); the pages translate the ones an officer meets, word for word where the
/// reason carries a value, and show any other as it is.
pub fn reason(lang: Language, text: &str) -> String {
    if lang == Language::En {
        return text.to_string();
    }
    const EXACT: &[(&str, &str)] = &[
        ("required", "bắt buộc nhập"),
        ("is in the future", "là thời điểm trong tương lai"),
        ("is before 2000", "trước năm 2000"),
        ("unknown case type", "loại vụ việc không hợp lệ"),
        (
            "not a province of Vietnam (current or pre-2025 name)",
            "không phải tỉnh, thành phố của Việt Nam (tên hiện nay hoặc trước năm 2025)",
        ),
        ("not a province of Vietnam", "không phải tỉnh, thành phố của Việt Nam"),
        ("unknown border gate, seaport or airport", "cửa khẩu, cảng biển hoặc sân bay không có trong danh mục"),
        ("must be between detection and now", "phải sau thời điểm phát hiện và không muộn hơn hiện tại"),
        ("is not negative", "không được âm"),
        ("quantities and weights are positive numbers", "số lượng và trọng lượng phải là số dương"),
        ("at most 500 lines", "tối đa 500 dòng hàng"),
        ("4 to 10 digits, e.g. 2402.20 or 24022090", "từ 4 đến 10 chữ số, ví dụ 2402.20 hoặc 24022090"),
        ("red, amber_strict, amber, green or clear", "chọn một mức TLP"),
        ("no such agency", "không có cơ quan này"),
        ("no such unit", "không có đơn vị này"),
        ("an agreement binds two different agencies", "quy chế phối hợp phải giữa hai cơ quan khác nhau"),
        ("must be after valid_from", "phải sau ngày bắt đầu hiệu lực"),
        ("at least one role", "chọn ít nhất một vai trò"),
        ("1 to 200 characters", "từ 1 đến 200 ký tự"),
        ("1 to 300 characters", "từ 1 đến 300 ký tự"),
        ("too repetitive", "quá đơn giản, lặp lại"),
        ("must not contain the username", "không được chứa tên đăng nhập"),
        ("no such entity among those you may see", "không có đối tượng này trong phạm vi bạn được xem"),
        ("may only narrow the case's sharing (label, audiences and handling conditions)", "chỉ được thu hẹp phạm vi chia sẻ của vụ việc"),
        (
            "username: 3 to 64 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter",
            "tên đăng nhập: 3 đến 64 ký tự thường, chữ số, '.', '_' hoặc '-', bắt đầu bằng chữ cái",
        ),
        ("cccd: a CCCD has 12 digits", "số CCCD gồm 12 chữ số"),
        ("cmnd: a CMND has 9 digits", "số CMND gồm 9 chữ số"),
        ("tax_code: a tax code has 10 digits, or 13 with a branch suffix", "mã số thuế gồm 10 chữ số, hoặc 13 chữ số với mã chi nhánh"),
        ("imo: an IMO number has 7 digits", "số IMO gồm 7 chữ số"),
        ("mmsi: an MMSI has 9 digits", "số MMSI gồm 9 chữ số"),
        ("seller: a seller id is written platform:id", "tài khoản người bán ghi theo dạng sàn:mã"),
    ];
    if let Some((_, vi)) = EXACT.iter().chain(requests::REASONS).chain(coordination::REASONS).find(|(en, _)| *en == text) {
        return (*vi).to_string();
    }
    // Reasons that carry a value: translate the words around it.
    const PREFIXES: &[(&str, &str)] = &[
        ("at most ", "tối đa "),
        ("no agency ", "không có cơ quan "),
        ("your agency cannot share with group ", "cơ quan của bạn không thể chia sẻ với nhóm "),
        ("unknown category ", "nhóm hàng không có trong danh mục: "),
        ("unknown role ", "vai trò không hợp lệ: "),
        ("unknown kind ", "loại đối tượng không hợp lệ: "),
        ("chapter ", "chương HS "),
    ];
    for (en, vi) in PREFIXES {
        if let Some(rest) = text.strip_prefix(en) {
            return format!("{vi}{}", rest.replace(" characters", " ký tự").replace(" does not exist", " không tồn tại"));
        }
    }
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_money_and_dates() {
        assert_eq!(money(Language::Vi, 1_234_567), "1.234.567 ₫");
        assert_eq!(money(Language::En, 1_234_567), "1,234,567 ₫");
        assert_eq!(number(Language::Vi, 999), "999");
        assert_eq!(number(Language::Vi, -1000), "-1.000");
        assert_eq!(datetime(1_767_200_400_000), "01/01/2026 00:00");
    }

    #[test]
    fn refusals_read_in_vietnamese() {
        assert_eq!(reason(Language::Vi, "cccd: a CCCD has 12 digits"), "số CCCD gồm 12 chữ số");
        assert_eq!(reason(Language::Vi, "at most 300 characters"), "tối đa 300 ký tự");
        assert_eq!(reason(Language::Vi, "no agency \"x\""), "không có cơ quan \"x\"");
        assert_eq!(reason(Language::En, "required"), "required");
        assert_eq!(reason(Language::Vi, "something new"), "something new", "an unknown reason is shown as it is");
    }

    #[test]
    fn every_word_exists_in_both_languages() {
        for (k, vi, en) in WORDS.iter().chain(requests::WORDS).chain(coordination::WORDS).chain(entities::WORDS) {
            assert!(!vi.is_empty() && !en.is_empty(), "{k}");
        }
        let mut keys: Vec<_> = WORDS.iter().chain(requests::WORDS).chain(coordination::WORDS).chain(entities::WORDS).map(|w| w.0).collect();
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(n, keys.len(), "no key twice");
    }
}
