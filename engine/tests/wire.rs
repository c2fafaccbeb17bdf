//! The translation between core facts and the wire contract: requests become the right commands, bad
//! names get the right codes, events and state become views that never carry an ID number.

mod support;

use kiosk_protocol::{ErrorCode, Request, ServerMessage};
use onewindow::core::{Command, GreenReason, Hall, HolderKey, Timestamp};
use onewindow::{config, wire};

fn demo_hall() -> Hall {
    let mut hall = Hall::new(config::demo().expect("demo"));
    hall.execute(&Command::OpenDay { date: support::DATE }, support::at(8, 0)).expect("open");
    hall
}

fn hash(raw: &str) -> HolderKey {
    HolderKey(format!("h({})", raw.len()))
}

fn to_command(hall: &Hall, json: &str) -> Result<Option<Command>, wire::WireError> {
    let request = Request::parse(json).expect("valid request");
    let seal =
        |phone: &str| onewindow::core::notify::SealedPhone { hash: format!("p({phone})"), sealed: String::new() };
    wire::command(hall, &request.body, &hash, &seal)
}

#[test]
fn requests_name_things_as_people_do_and_become_commands() {
    let hall = demo_hall();
    let cmd = to_command(&hall, r#"{"id":1,"type":"call_next","window":5}"#).expect("maps");
    assert_eq!(cmd, Some(Command::CallNext { window: hall.config().window_by_number(5).expect("w5") }));
    let cmd = to_command(
        &hall,
        r#"{"id":2,"type":"issue_ticket","matter":"tax","green":"elderly","id_number":"11010519491231002X"}"#,
    )
    .expect("maps")
    .expect("a command");
    match cmd {
        Command::IssueTicket { matter, green, holder: Some(holder), .. } => {
            assert_eq!(matter, hall.config().matter_by_key("tax").expect("tax"));
            assert_eq!(green, Some(GreenReason::Elderly));
            assert_eq!(holder.key, HolderKey("h(18)".into()), "the core gets the keyed hash only");
            assert_eq!(holder.birth_date.map(|d| d.to_string()), Some("1949-12-31".into()));
        }
        other => panic!("{other:?}"),
    }
    let hello = to_command(&hall, r#"{"id":3,"type":"hello","protocol":1,"token":"t"}"#).expect("maps");
    assert_eq!(hello, None, "hello is the session's business");
}

#[test]
fn bad_names_get_stable_codes() {
    let hall = demo_hall();
    let code = |json: &str| to_command(&hall, json).expect_err("refused").code;
    assert_eq!(code(r#"{"id":1,"type":"call_next","window":99}"#), ErrorCode::UnknownWindow);
    assert_eq!(code(r#"{"id":1,"type":"issue_ticket","matter":"taxes"}"#), ErrorCode::UnknownMatter);
    assert_eq!(code(r#"{"id":1,"type":"cancel_ticket","ticket":"A001"}"#), ErrorCode::UnknownTicket);
    assert_eq!(code(r#"{"id":1,"type":"cancel_ticket","ticket":"a-1"}"#), ErrorCode::UnknownTicket);
    assert_eq!(code(r#"{"id":1,"type":"sign_in","window":5,"clerk":"nobody","pin":"1"}"#), ErrorCode::UnknownClerk);
    assert_eq!(
        code(r#"{"id":1,"type":"issue_ticket","matter":"tax","id_number":"110105194912310021"}"#),
        ErrorCode::InvalidIdNumber
    );
}

#[test]
fn a_morning_on_the_wire_serialises_every_event_and_never_an_id() {
    let mut hall = demo_hall();
    let raw_id = "11010519491231002X";
    let requests = [
        r#"{"id":1,"type":"sign_in","window":5,"clerk":"c05","pin":"1234"}"#.to_owned(),
        format!(r#"{{"id":2,"type":"issue_ticket","matter":"business","id_number":"{raw_id}"}}"#),
        r#"{"id":3,"type":"call_next","window":5}"#.to_owned(),
        r#"{"id":4,"type":"start_service","window":5}"#.to_owned(),
        r#"{"id":5,"type":"finish","window":5,"outcome":"completed"}"#.to_owned(),
        r#"{"id":6,"type":"rate","window":5,"ticket":"B001","rating":"satisfied"}"#.to_owned(),
        r#"{"id":7,"type":"close_day"}"#.to_owned(),
    ];
    let mut seq = 0u64;
    let mut kinds = Vec::new();
    for (i, json) in requests.iter().enumerate() {
        let command = to_command(&hall, json).expect("maps").expect("command");
        let now = Timestamp(support::at(9, 0).0 + i as i64 * 60_000);
        for event in hall.execute(&command, now).expect("accepted") {
            seq += 1;
            let message = ServerMessage::Event { seq, at: now.0, event: wire::event(&hall, &event) };
            let text = serde_json::to_string(&message).expect("serialise");
            assert!(!text.contains(raw_id) && !text.contains("h(18)"), "no ID, raw or hashed, on the wire: {text}");
            let back: ServerMessage = serde_json::from_str(&text).expect("parse back");
            if let ServerMessage::Event { event, .. } = back {
                kinds.push(serde_json::to_value(&event).expect("value")["kind"].as_str().unwrap_or("").to_owned());
            }
        }
    }
    assert_eq!(
        kinds,
        [
            "clerk_signed_in",
            "ticket_issued",
            "ticket_called",
            "service_started",
            "service_finished",
            "ticket_rated",
            "clerk_signed_out",
            "day_closed"
        ]
    );
    let view = wire::hall_view(&hall, onewindow::core::Timestamp(0));
    assert_eq!(view.windows.len(), 16);
    assert_eq!(view.matters[1].key, "business");
}

#[test]
fn a_waiting_tickets_view_counts_the_people_ahead() {
    let mut hall = demo_hall();
    for _ in 0..3 {
        let cmd = to_command(&hall, r#"{"id":1,"type":"issue_ticket","matter":"tax"}"#).expect("ok").expect("cmd");
        hall.execute(&cmd, support::at(9, 0)).expect("issued");
    }
    let views: Vec<_> = hall.tickets().map(|t| wire::ticket_view(&hall, t)).collect();
    let ahead: Vec<Option<u32>> = views.iter().map(|v| v.ahead).collect();
    assert_eq!(ahead, [Some(0), Some(1), Some(2)]);
    assert_eq!(views[2].number, "E003");
}
