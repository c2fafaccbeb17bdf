//! Online booking in the core (docs/api.md): the day's slots and their places, booking with a client
//! key, the daily cap shared with walk-ins, cancel and reschedule, and the no-show rule — on the small
//! hall with a calendar (weekdays, lunch 12:00–14:00), estate bookable with 2 places a slot and a cap
//! of 5 a day, 30-minute slots, 7 days ahead, 2 misses within 30 days block for 10 days.

mod support;

use onewindow::core::{Command, Date, Event, Hall, HallConfig, HolderKey, MatterId, Rejection, Timestamp};

const ESTATE: MatterId = MatterId(0);
const TAX: MatterId = MatterId(1);
/// A Monday.
const MONDAY: Date = Date { year: 2026, month: 3, day: 2 };

fn config() -> HallConfig {
    support::booking_config()
}

fn day(date: Date, hh: u32, mm: u32) -> Timestamp {
    date.at_minute(hh * 60 + mm, 480)
}

fn plus_days(date: Date, days: i64) -> Date {
    Date::from_days(date.to_days() + days)
}

/// The hall at `now` with Monday's day open.
fn hall() -> Hall {
    let mut hall = Hall::new(config());
    hall.execute(&Command::OpenDay { date: MONDAY }, day(MONDAY, 8, 0)).expect("day opens");
    hall
}

/// An ID's hash under the key of the booking's day (one key for all days here).
fn id(n: u32) -> HolderKey {
    HolderKey(format!("id-{n}"))
}

/// An ID's hash under this month's history key.
fn history(n: u32) -> HolderKey {
    HolderKey(format!("history-{n}"))
}

fn book(hall: &mut Hall, code: &str, start: Timestamp, who: u32, now: Timestamp) -> Result<Vec<Event>, Rejection> {
    let command = Command::BookOnline {
        code: code.into(),
        matter: ESTATE,
        start,
        holder: id(who),
        history: vec![history(who)],
        client_key: format!("k-{code}"),
    };
    hall.execute(&command, now)
}

#[test]
fn a_day_has_slots_from_opening_to_closing_without_lunch_and_none_on_a_closed_day() {
    let hall = hall();
    let now = day(MONDAY, 8, 0);
    let tuesday = plus_days(MONDAY, 1);
    let slots = hall.booking_slots(ESTATE, tuesday, now).expect("tuesday");
    let starts: Vec<u32> = slots.iter().map(|s| s.start_min).collect();
    // 08:30–12:00 and 14:00–17:30 in 30-minute steps: 7 + 7.
    assert_eq!(starts.len(), 14, "{starts:?}");
    assert_eq!((starts[0], starts[6], starts[7], starts[13]), (510, 690, 840, 1020));
    assert!(slots.iter().all(|s| s.capacity == 2 && s.booked == 0 && s.available == 2));
    assert_eq!(slots[0].end.since(slots[0].start), 30 * 60_000);
    // Saturday: closed, no slots; a week ahead is the last bookable day; yesterday and beyond are refused.
    assert!(hall.booking_slots(ESTATE, plus_days(MONDAY, 5), now).expect("saturday").is_empty());
    assert!(!hall.booking_slots(ESTATE, plus_days(MONDAY, 7), now).expect("next monday").is_empty());
    assert_eq!(hall.booking_slots(ESTATE, plus_days(MONDAY, 8), now), Err(Rejection::DateOutOfRange));
    assert_eq!(hall.booking_slots(ESTATE, plus_days(MONDAY, -1), now), Err(Rejection::DateOutOfRange));
    assert_eq!(hall.booking_slots(TAX, tuesday, now), Err(Rejection::NotBookable));
    // Today: the slots that started have no place left.
    let today = hall.booking_slots(ESTATE, MONDAY, day(MONDAY, 9, 10)).expect("today");
    assert!(today.iter().filter(|s| s.start_min <= 540).all(|s| s.available == 0));
    assert!(today.iter().filter(|s| s.start_min > 540).all(|s| s.available == 2));
}

#[test]
fn a_slot_takes_its_places_then_refuses_and_a_cancellation_frees_one() {
    let mut hall = hall();
    let now = day(MONDAY, 8, 0);
    let tuesday = plus_days(MONDAY, 1);
    let nine = day(tuesday, 9, 0);
    let booked = book(&mut hall, "AAAA0001", nine, 1, now).expect("first");
    assert!(
        matches!(&booked[..], [Event::AppointmentBooked { end, holder: Some(_), .. }] if *end == day(tuesday, 9, 30))
    );
    book(&mut hall, "AAAA0002", nine, 2, now).expect("second");
    assert_eq!(book(&mut hall, "AAAA0003", nine, 3, now), Err(Rejection::SlotFull));
    let slot = |hall: &Hall| hall.booking_slots(ESTATE, tuesday, now).expect("slots")[1];
    assert_eq!((slot(&hall).booked, slot(&hall).available), (2, 0));
    hall.execute(&Command::CancelAppointment { code: "AAAA0001".into() }, now).expect("cancelled");
    assert_eq!((slot(&hall).booked, slot(&hall).available), (1, 1));
    book(&mut hall, "AAAA0003", nine, 3, now).expect("the freed place");
    // A cancelled booking cannot be cancelled again; an unknown one neither.
    let again = hall.execute(&Command::CancelAppointment { code: "AAAA0001".into() }, now);
    assert_eq!(again, Err(Rejection::UnknownAppointment));
    // Not a slot: off the 30-minute grid, in the lunch break, or one that started.
    assert_eq!(book(&mut hall, "AAAA0004", day(tuesday, 9, 10), 4, now), Err(Rejection::NoSuchSlot));
    assert_eq!(book(&mut hall, "AAAA0004", day(tuesday, 12, 30), 4, now), Err(Rejection::NoSuchSlot));
    assert_eq!(book(&mut hall, "AAAA0004", day(MONDAY, 8, 30), 4, day(MONDAY, 8, 45)), Err(Rejection::NoSuchSlot));
}

#[test]
fn the_same_client_key_books_once_and_one_id_holds_one_booking_a_matter_a_day() {
    let mut hall = hall();
    let now = day(MONDAY, 8, 0);
    let tuesday = plus_days(MONDAY, 1);
    book(&mut hall, "AAAA0001", day(tuesday, 9, 0), 1, now).expect("booked");
    // The same request again (same key, same details, the shell's new code unused): nothing new.
    let repeat = Command::BookOnline {
        code: "AAAA0009".into(),
        matter: ESTATE,
        start: day(tuesday, 9, 0),
        holder: id(1),
        history: vec![history(1)],
        client_key: "k-AAAA0001".into(),
    };
    assert_eq!(hall.execute(&repeat, now), Ok(Vec::new()));
    assert_eq!(hall.appointments().keys().collect::<Vec<_>>(), ["AAAA0001"]);
    // The same key for another slot is refused.
    let other = Command::BookOnline {
        code: "AAAA0009".into(),
        matter: ESTATE,
        start: day(tuesday, 10, 0),
        holder: id(1),
        history: vec![history(1)],
        client_key: "k-AAAA0001".into(),
    };
    assert_eq!(hall.execute(&other, now), Err(Rejection::KeyReused));
    // One ID, one booking for a matter a day: refused the same day, allowed the next.
    assert_eq!(book(&mut hall, "AAAA0005", day(tuesday, 15, 0), 1, now), Err(Rejection::AlreadyBooked));
    book(&mut hall, "AAAA0006", day(plus_days(MONDAY, 2), 15, 0), 1, now).expect("wednesday");
}

#[test]
fn bookings_and_walk_ins_share_the_daily_cap() {
    let mut hall = hall();
    let now = day(MONDAY, 8, 40);
    // Estate's cap is 5 a day: 3 walk-ins today leave 2 places for today's bookings, in any slot.
    for _ in 0..3 {
        let issue = Command::IssueTicket { matter: ESTATE, green: None, holder: None, source: None };
        hall.execute(&issue, now).expect("walk-in");
    }
    book(&mut hall, "AAAA0001", day(MONDAY, 10, 0), 1, now).expect("4th");
    book(&mut hall, "AAAA0002", day(MONDAY, 15, 0), 2, now).expect("5th");
    let slots = hall.booking_slots(ESTATE, MONDAY, now).expect("today");
    assert!(slots.iter().all(|s| s.available == 0), "{slots:?}");
    assert_eq!(book(&mut hall, "AAAA0003", day(MONDAY, 16, 0), 3, now), Err(Rejection::SlotFull));
    // Tomorrow has its own cap.
    book(&mut hall, "AAAA0003", day(plus_days(MONDAY, 1), 16, 0), 3, now).expect("tomorrow");
}

#[test]
fn a_booking_moves_to_a_free_slot_and_a_checked_in_one_stays() {
    let mut hall = hall();
    let now = day(MONDAY, 8, 0);
    let tuesday = plus_days(MONDAY, 1);
    book(&mut hall, "AAAA0001", day(tuesday, 9, 0), 1, now).expect("booked");
    book(&mut hall, "AAAA0002", day(tuesday, 10, 0), 2, now).expect("booked");
    book(&mut hall, "AAAA0003", day(tuesday, 10, 0), 3, now).expect("booked");
    let to = |code: &str, start| Command::RescheduleAppointment { code: code.into(), start, holder: None };
    assert_eq!(hall.execute(&to("AAAA0001", day(tuesday, 10, 0)), now), Err(Rejection::SlotFull));
    let moved = hall.execute(&to("AAAA0001", day(tuesday, 14, 0)), now).expect("moved");
    assert!(matches!(&moved[..], [Event::AppointmentRescheduled { start, .. }] if *start == day(tuesday, 14, 0)));
    let slots = hall.booking_slots(ESTATE, tuesday, now).expect("slots");
    assert_eq!((slots[1].booked, slots[7].booked), (0, 1), "09:00 freed, 14:00 taken");
    // To another day it needs the ID's hash under that day's key.
    let wednesday = day(plus_days(MONDAY, 2), 9, 0);
    assert_eq!(hall.execute(&to("AAAA0001", wednesday), now), Err(Rejection::IdRequired));
    let with_id = Command::RescheduleAppointment { code: "AAAA0001".into(), start: wednesday, holder: Some(id(10)) };
    hall.execute(&with_id, now).expect("moved to wednesday");
    assert_eq!(hall.appointments()["AAAA0001"].holder, Some(id(10)));
    // Today's booking, checked in at the kiosk, can be neither moved nor cancelled.
    book(&mut hall, "AAAA0004", day(MONDAY, 9, 0), 4, now).expect("today");
    hall.execute(&Command::CheckIn { code: "AAAA0004".into(), source: None }, day(MONDAY, 8, 55)).expect("in");
    assert_eq!(hall.execute(&to("AAAA0004", day(MONDAY, 15, 0)), now), Err(Rejection::AppointmentUsed));
    let cancel = Command::CancelAppointment { code: "AAAA0004".into() };
    assert_eq!(hall.execute(&cancel, now), Err(Rejection::AppointmentUsed));
}

#[test]
fn a_kiosk_checks_in_by_id_number_the_earliest_booking_of_the_day_then_the_next() {
    // Tax bookable too, so one ID can hold two bookings today.
    let mut config = config();
    config.matters[usize::from(TAX.0)].booking_per_slot = Some(2);
    let mut hall = Hall::new(config);
    let now = day(MONDAY, 8, 0);
    hall.execute(&Command::OpenDay { date: MONDAY }, now).expect("day opens");
    // ID 3: estate at 16:00 and tax at 09:00 today, estate tomorrow.
    book(&mut hall, "LATE0001", day(MONDAY, 16, 0), 3, now).expect("16:00");
    book(&mut hall, "NEXT0001", day(plus_days(MONDAY, 1), 9, 0), 3, now).expect("tomorrow");
    let tax = Command::BookOnline {
        code: "EARLY001".into(),
        matter: TAX,
        start: day(MONDAY, 9, 0),
        holder: id(3),
        history: vec![history(3)],
        client_key: "k-early".into(),
    };
    hall.execute(&tax, now).expect("09:00 tax");
    let by_id = |n: u32| Command::CheckInById { holder: id(n), source: Some("kiosk-1".into()) };
    let checked_in = |events: &[Event]| match events {
        [Event::TicketIssued { appointment: Some(code), .. }] => code.clone(),
        other => panic!("{other:?}"),
    };
    // The earliest slot first, then the other booking of today; never tomorrow's.
    assert_eq!(checked_in(&hall.execute(&by_id(3), day(MONDAY, 8, 50)).expect("first")), "EARLY001");
    assert_eq!(checked_in(&hall.execute(&by_id(3), day(MONDAY, 15, 50)).expect("second")), "LATE0001");
    assert_eq!(hall.execute(&by_id(3), day(MONDAY, 15, 51)), Err(Rejection::AppointmentUsed));
    assert_eq!(hall.execute(&by_id(8), day(MONDAY, 15, 51)), Err(Rejection::NoBookingToday));
    // A cancelled booking is not checked in, by ID or by code.
    book(&mut hall, "GONE0001", day(MONDAY, 16, 30), 6, now).expect("16:30");
    hall.execute(&Command::CancelAppointment { code: "GONE0001".into() }, day(MONDAY, 9, 0)).expect("cancelled");
    assert_eq!(hall.execute(&by_id(6), day(MONDAY, 16, 20)), Err(Rejection::NoBookingToday));
    let by_code = Command::CheckIn { code: "GONE0001".into(), source: None };
    assert_eq!(hall.execute(&by_code, day(MONDAY, 16, 20)), Err(Rejection::AppointmentCancelled));
}

#[test]
fn two_missed_bookings_block_the_id_for_ten_days_after_the_last() {
    let mut hall = hall();
    let mut date = MONDAY;
    // ID 7 booked for Monday and Tuesday and came on neither: each day's close counts a miss. ID 9
    // booked the same slots and checked in.
    for (i, d) in [MONDAY, plus_days(MONDAY, 1)].into_iter().enumerate() {
        if d != MONDAY {
            hall.execute(&Command::OpenDay { date: d }, day(d, 8, 0)).expect("opens");
        }
        book(&mut hall, &format!("MISS000{i}"), day(d, 16, 0), 7, day(d, 8, 10)).expect("booked");
        book(&mut hall, &format!("CAME000{i}"), day(d, 16, 0), 9, day(d, 8, 10)).expect("booked");
        assert!(hall.booking_blocked_until(&[history(7)], day(d, 9, 0)).is_none());
        let check_in = Command::CheckIn { code: format!("CAME000{i}"), source: None };
        hall.execute(&check_in, day(d, 15, 55)).expect("checked in");
        close_day(&mut hall, d);
        date = d;
    }
    let wednesday = plus_days(date, 1);
    hall.execute(&Command::OpenDay { date: wednesday }, day(wednesday, 8, 0)).expect("opens");
    let until = hall.booking_blocked_until(&[history(7)], day(wednesday, 9, 0)).expect("blocked");
    assert_eq!(until, day(plus_days(date, 10), 16, 0), "10 days after Tuesday's 16:00 slot");
    assert_eq!(
        book(&mut hall, "AAAA0001", day(wednesday, 15, 0), 7, day(wednesday, 9, 0)),
        Err(Rejection::BookingBlocked)
    );
    // Someone else books as ever; the snapshot keeps the misses.
    book(&mut hall, "AAAA0002", day(wednesday, 15, 0), 8, day(wednesday, 9, 0)).expect("another ID");
    let restored = Hall::restore(config(), hall.snapshot()).expect("restores");
    assert_eq!(restored.booking_blocked_until(&[history(7)], day(wednesday, 9, 0)), Some(until));
    // Checked in: no miss. And the block ends.
    assert!(hall.booking_blocked_until(&[history(9)], day(wednesday, 9, 0)).is_none());
    assert!(hall.booking_blocked_until(&[history(7)], until.plus_ms(1)).is_none());
    // Last month's hash among the ID's hashes still counts (the shell hashes under every kept key).
    assert_eq!(hall.booking_blocked_until(&[history(70), history(7)], day(wednesday, 9, 0)), Some(until));
}

/// Closes `date`'s day: tickets still open end with it.
fn close_day(hall: &mut Hall, date: Date) {
    hall.execute(&Command::CloseDay, day(date, 18, 0)).expect("closes");
}
