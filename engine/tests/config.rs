//! Hall configuration: the demo hall is what the issue asks for, and every kind of mistake is an error
//! that names its key.

use onewindow::config::{self, ConfigError};
use onewindow::core::WindowKind;
use onewindow::pin;

const MINIMAL: &str = r#"
[hall]
name = "小厅"

[[matter]]
key = "tax"
name_zh = "涉税服务"
name_en = "Tax"
prefix = "A"
target_wait_min = 20
handling_norm_min = 10

[[window]]
key = "w1"
number = 1
name = "窗口 1"
serves = ["tax"]
"#;

/// Two hours of opening, for `[booking]` cases.
const HOURS: &str = "\n[hours]\nopen = \"09:00\"\nclose = \"11:00\"\n\n";

fn error_of(text: &str) -> String {
    match config::parse(text) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_demo_hall_has_the_notices_matters_and_a_realistic_floor() {
    let hall = config::demo().expect("the demo hall is valid");
    let keys: Vec<&str> = hall.matters.iter().map(|m| m.key.as_str()).collect();
    assert_eq!(keys, ["real_estate", "business", "social_insurance", "employment", "tax", "inquiry", "pickup"]);
    let names: Vec<&str> = hall.matters.iter().map(|m| m.name_zh.as_str()).collect();
    assert_eq!(names, ["不动产登记", "企业登记", "社保医保", "就业创业", "涉税服务", "综合咨询", "出件"]);
    let count = |kind| hall.windows.iter().filter(|w| w.kind == kind).count();
    assert_eq!(count(WindowKind::Regular), 12);
    assert_eq!(count(WindowKind::GreenChannel), 1);
    assert_eq!(count(WindowKind::Standby), 3);
    assert!(
        hall.windows.iter().filter(|w| w.kind == WindowKind::Regular).all(|w| w.skills.len() >= 2),
        "comprehensive windows serve several matters"
    );
    for (i, m) in hall.matters.iter().enumerate() {
        let served = hall
            .windows
            .iter()
            .filter(|w| w.kind == WindowKind::Regular && w.skills.contains(onewindow::core::MatterId(i as u16)))
            .count();
        assert!(served >= 2, "{} is served by {served} regular windows; overlap needs at least 2", m.key);
    }
    let settings = config::parse_full(config::DEMO_HALL_TOML).expect("demo").1;
    // 一次性告知 for the two matters with most papers, in both languages.
    let notices = &settings.terminals.notices;
    assert_eq!(notices.keys().collect::<Vec<_>>(), ["business", "real_estate"]);
    assert_eq!(notices["real_estate"].documents[1].zh, "不动产权证书");
    assert_eq!(notices["business"].conditions.len(), 2);
    let pins = settings.pins;
    let c01 = &hall.clerks[0];
    assert!(pin::pin_matches(&c01.key, "1234", &pins[&c01.key]), "demo PINs are 1234, as documented");
}

#[test]
fn a_minimal_hall_takes_defaults() {
    let hall = config::parse(MINIMAL).expect("minimal hall");
    assert_eq!(hall.utc_offset_min, 480);
    assert_eq!(hall.hours, None);
    assert_eq!(hall.rules, onewindow::core::Rules::default());
    assert_eq!(hall.rules.cases.resolve_ms, 5 * 24 * 3_600_000, "a 差评 is resolved within 5 days unless configured");
    assert_eq!(hall.matters[0].target_wait_ms, 20 * 60_000);
}

#[test]
fn unknown_keys_are_errors_that_name_the_key() {
    let e = error_of(&format!("{MINIMAL}\ncolour = \"red\"\n"));
    assert!(e.contains("colour"), "{e}");
    let e = error_of(&MINIMAL.replace("prefix = \"A\"", "prefix = \"A\"\npriority = 3"));
    assert!(e.contains("priority"), "{e}");
    let e = error_of(&MINIMAL.replace("name = \"小厅\"", "name = \"小厅\"\nopen = true"));
    assert!(e.contains("open"), "{e}");
}

#[test]
fn bad_references_and_values_name_their_key() {
    let cases = [
        (MINIMAL.replace("serves = [\"tax\"]", "serves = [\"taxes\"]"), "window[0].serves", "taxes"),
        (MINIMAL.replace("serves = [\"tax\"]", "serves = []"), "window[0].serves", "at least one"),
        (MINIMAL.replace("serves = [\"tax\"]", "serves = [\"tax\", \"tax\"]"), "window[0].serves", "twice"),
        (MINIMAL.replace("target_wait_min = 20", "target_wait_min = 0"), "matter[0].target_wait_min", "positive"),
        (
            MINIMAL.replace("handling_norm_min = 10", "handling_norm_min = -1"),
            "matter[0].handling_norm_min",
            "positive",
        ),
        (MINIMAL.replace("prefix = \"A\"", "prefix = \"a\""), "matter[0].prefix", "A–Z"),
        (MINIMAL.replace("prefix = \"A\"", "prefix = \"AB\""), "matter[0].prefix", "A–Z"),
        (MINIMAL.replace("key = \"tax\"", "key = \"Tax!\""), "matter[0].key", "a-z"),
        (MINIMAL.replace("number = 1", "number = 0"), "window[0].number", "positive"),
        (format!("{MINIMAL}\n[rules]\npolicy = \"fastest\"\n"), "rules.policy", "fastest"),
        (format!("{MINIMAL}\n[rules]\naht_alpha = 0\n"), "rules.aht_alpha", "(0, 1]"),
        (format!("{MINIMAL}\n[cases]\nassign_hours = 0\n"), "cases.assign_hours", "more than 0"),
        (format!("{MINIMAL}\n[cases]\nresolve_hours = 9000\n"), "cases.resolve_hours", "8784"),
        (format!("{MINIMAL}\n[cases]\ncontact_hours = 200\n"), "cases", "must not shrink"),
        (format!("{MINIMAL}\n[hours]\nopen = \"17:30\"\nclose = \"08:30\"\n"), "hours.close", "after"),
        (format!("{MINIMAL}\n[staffing]\nforecast = [[\"9:00\", 10.0]]\n"), "staffing.forecast[0]", "HH:MM"),
        (
            format!("{MINIMAL}\n[staffing]\nforecast = [[\"09:00\", 10.0], [\"08:00\", 5.0]]\n"),
            "staffing.forecast[1]",
            "increase",
        ),
        (format!("{MINIMAL}\n[staffing]\nforecast = [[\"09:00\", -1.0]]\n"), "staffing.forecast[0]", "0 to"),
        (format!("{MINIMAL}\n[staffing]\nforecast = []\n"), "staffing.forecast", "1 to 96"),
        (
            format!("{MINIMAL}\n[staffing]\nforecast = [[\"09:00\", 1.0]]\nforecast_horizon_min = 300\n"),
            "staffing.forecast_horizon_min",
            "240",
        ),
        (format!("{MINIMAL}\n[staffing]\nforecast_horizon_min = 30\n"), "staffing.forecast_horizon_min", "needs"),
        (format!("{MINIMAL}\n[hours]\nopen = \"8:30\"\nclose = \"17:30\"\n"), "hours.open", "HH:MM"),
        (format!("{MINIMAL}\n[booking]\n"), "booking", "needs [hours]"),
        (format!("{MINIMAL}{HOURS}[booking]\nslot_min = 0\n"), "booking.slot_min", "1–240"),
        (format!("{MINIMAL}{HOURS}[booking]\nslot_min = 180\n"), "booking.slot_min", "longer than the opening hours"),
        (format!("{MINIMAL}{HOURS}[booking]\ndays_ahead = 91\n"), "booking.days_ahead", "1–90"),
        (format!("{MINIMAL}{HOURS}[booking]\nmissed_limit = 0\n"), "booking.missed_limit", "1–100"),
        (
            MINIMAL.replace("handling_norm_min = 10", "handling_norm_min = 10\nbooking_per_slot = 2"),
            "matter[0].booking_per_slot",
            "needs a [booking]",
        ),
        (
            format!(
                "{}{HOURS}[booking]\n",
                MINIMAL.replace("handling_norm_min = 10", "handling_norm_min = 10\nbooking_per_slot = 0")
            ),
            "matter[0].booking_per_slot",
            "1–1000",
        ),
        (MINIMAL.replace("name = \"小厅\"", "name = \"小厅\"\nutc_offset = \"8\""), "hall.utc_offset", "+08:00"),
        (
            MINIMAL.replace(
                "handling_norm_min = 10",
                "handling_norm_min = 10\ndocuments = [{ zh = \"身份证\", en = \"ID card\" }, { zh = \"户口簿\", en = \" \" }]",
            ),
            "matter[0].documents[1]",
            "zh and en",
        ),
        (
            MINIMAL.replace(
                "handling_norm_min = 10",
                &format!("handling_norm_min = 10\nconditions = [{}]", vec!["{ zh = \"本人\", en = \"In person\" }"; 21].join(", ")),
            ),
            "matter[0].conditions",
            "at most 20",
        ),
        (
            format!("{MINIMAL}\n[[clerk]]\nkey = \"c1\"\nname = \"王芳\"\npin_hash = \"1234\"\n"),
            "clerk[0].pin_hash",
            "pin-hash",
        ),
        (
            format!("{MINIMAL}\n[export]\nnats_url = \"nats://127.0.0.1:4222\"\nhall_id = \"km.wuhua\"\n"),
            "export.hall_id",
            "1–32",
        ),
        (
            format!("{MINIMAL}\n[export]\nnats_url = \"nats://a:4222\"\nhall_id = \"h\"\nsubject_prefix = \"a b\"\n"),
            "export.subject_prefix",
            "1–32",
        ),
        (
            format!("{MINIMAL}\n[export]\nnats_url = \"http://127.0.0.1:4222\"\nhall_id = \"km-wuhua\"\n"),
            "export.nats_url",
            "nats://",
        ),
    ];
    for (text, key, detail) in cases {
        match config::parse(&text) {
            Err(ConfigError::Invalid { key: k, message }) => {
                assert_eq!(k, key, "{message}");
                assert!(message.contains(detail), "{key}: `{message}` should mention `{detail}`");
            }
            other => panic!("{key}: expected an Invalid error, got {other:?}"),
        }
    }
}

#[test]
fn a_forecast_is_read_with_its_horizon() {
    let text = format!("{MINIMAL}\n[staffing]\nforecast = [[\"08:30\", 53.3], [\"09:00\", 124.4]]\n");
    let hall = config::parse(&text).expect("parses");
    assert_eq!(hall.rules.forecast.rates, vec![(510, 53.3), (540, 124.4)]);
    assert_eq!(hall.rules.forecast.horizon_min, 60, "an hour by default");
    assert_eq!(config::parse(MINIMAL).expect("parses").rules.forecast, Default::default());
}

#[test]
fn two_matters_with_one_prefix_are_refused() {
    let second = "\n[[matter]]\nkey = \"estate\"\nname_zh = \"不动产\"\nname_en = \"Estate\"\nprefix = \"A\"\ntarget_wait_min = 20\nhandling_norm_min = 20\n";
    let e = error_of(&format!("{MINIMAL}{second}"));
    assert!(e.starts_with("matter[1].prefix"), "{e}");
    let dup_window = "\n[[window]]\nkey = \"w2\"\nnumber = 1\nname = \"窗口 2\"\nserves = [\"tax\"]\n";
    let e = error_of(&format!("{MINIMAL}{dup_window}"));
    assert!(e.starts_with("window[1].number"), "{e}");
}

#[test]
fn not_toml_is_a_parse_error() {
    assert!(matches!(config::parse("[hall"), Err(ConfigError::Parse(_))));
    assert!(matches!(config::parse("[hall]\nname = 3\n"), Err(ConfigError::Parse(_))));
}
