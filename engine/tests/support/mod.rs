//! Shared by the integration tests: the test halls, a small text language for hall commands (the same
//! one the scenario files use), and a one-line rendering of events for people to read.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use onewindow::config;
use onewindow::core::{
    CallReason, Command, Date, Event, GreenReason, Hall, HallConfig, Holder, HolderKey, MatterId, MatterSet, Outcome,
    Rating, Rejection, StaffingTrigger, TicketId, TicketNumber, Timestamp, TransferTo, WindowId,
};

/// The small test hall (`tests/halls/small.toml`): matters estate (A, cap 5), tax (B), pickup (C);
/// windows 1 [estate, tax], 2 [tax, pickup], 3 green channel [all], 4 standby [estate];
/// clerks c1–c4 with PINs 1111–4444; hours 08:30–17:30; policy fifo.
pub fn small_config() -> HallConfig {
    config::parse(include_str!("../halls/small.toml")).expect("the small test hall is valid")
}

/// The small hall with a calendar: weekdays only, lunch 12:00–14:00, the 2026 National Day holidays
/// (1–7 October) and the Saturday 10 October worked in their place (调休).
pub fn calendar_config() -> HallConfig {
    config::parse(&calendar_text()).expect("the calendar hall is valid")
}

/// The calendar hall bookable online: estate with 2 places a slot (and its cap of 5 a day), 30-minute
/// slots, 7 days ahead, 2 misses within 30 days block for 10.
#[allow(dead_code)]
pub fn booking_config() -> HallConfig {
    let text = calendar_text()
        .replacen("key = \"estate\"\n", "key = \"estate\"\nbooking_per_slot = 2\n", 1)
        .replacen(
            "[rules]\n",
            "[booking]\nslot_min = 30\ndays_ahead = 7\nmissed_limit = 2\nmissed_within_days = 30\nblock_days = 10\n\n[rules]\n",
            1,
        );
    config::parse(&text).expect("the booking hall is valid")
}

/// The calendar hall's TOML, for tests that add to it.
fn calendar_text() -> String {
    let text = include_str!("../halls/small.toml").replacen(
        "[hours]\nopen = \"08:30\"\nclose = \"17:30\"\n",
        "[hours]\nopen = \"08:30\"\nclose = \"17:30\"\nlunch = \"12:00-14:00\"\ndays = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\n\n\
         [calendar]\nholidays = [\"2026-10-01\", \"2026-10-02\", \"2026-10-03\", \"2026-10-04\", \"2026-10-05\", \"2026-10-06\", \"2026-10-07\"]\n\
         workdays = [\"2026-10-10\"]\n",
        1,
    );
    assert!(text.contains("lunch"), "the small hall's [hours] as expected");
    text
}

/// The PIN hashes of the small hall's and the demo hall's clerks, by clerk key (the server keeps them
/// outside the core, so scripts check them as the server does).
pub fn test_pins() -> std::collections::BTreeMap<String, String> {
    let small = config::parse_full(include_str!("../halls/small.toml")).expect("small hall").1.pins;
    let demo = config::parse_full(config::DEMO_HALL_TOML).expect("demo hall").1.pins;
    small.into_iter().chain(demo).collect()
}

/// The test date.
pub const DATE: Date = Date { year: 2026, month: 3, day: 2 };

/// Local time `hh:mm` on the test date in the small hall (UTC+8).
pub fn at(hh: u32, mm: u32) -> Timestamp {
    DATE.at_minute(hh * 60 + mm, 480)
}

/// The small hall with the test day open at 08:00.
pub fn open_hall() -> Hall {
    let mut hall = Hall::new(small_config());
    hall.execute(&Command::OpenDay { date: DATE }, at(8, 0)).expect("open day");
    hall
}

/// A script interpreter over a hall: parses command lines and renders events.
pub struct Script {
    pub hall: Hall,
    pub date: Date,
}

impl Script {
    pub fn new(config: HallConfig, date: Date) -> Script {
        Script { hall: Hall::new(config), date }
    }

    /// Parses `HH:MM[:SS]` on the script's date, in the hall's local time.
    pub fn time(&self, s: &str) -> Result<Timestamp, String> {
        let parts: Vec<&str> = s.split(':').collect();
        let num = |p: &str| p.parse::<u32>().map_err(|_| format!("bad time `{s}`"));
        let (h, m, sec) = match parts.as_slice() {
            [h, m] => (num(h)?, num(m)?, 0),
            [h, m, sec] => (num(h)?, num(m)?, num(sec)?),
            _ => return Err(format!("bad time `{s}`")),
        };
        Ok(self.date.at_minute(h * 60 + m, self.hall.config().utc_offset_min).plus_ms(i64::from(sec) * 1000))
    }

    fn matter(&self, key: &str) -> Result<MatterId, String> {
        self.hall.config().matter_by_key(key).ok_or_else(|| format!("unknown matter `{key}`"))
    }

    fn window(&self, number: &str) -> Result<WindowId, String> {
        let n: u16 = number.parse().map_err(|_| format!("bad window `{number}`"))?;
        // Unknown numbers map to an id past the end, so the core's own check answers.
        Ok(self.hall.config().window_by_number(n).unwrap_or(WindowId(u16::MAX)))
    }

    fn ticket(&self, number: &str) -> Result<TicketId, String> {
        let parsed: TicketNumber = number.parse().map_err(|()| format!("bad ticket number `{number}`"))?;
        Ok(self.hall.ticket_by_number(parsed).map_or(TicketId(u64::MAX), |t| t.id))
    }

    /// One command, in words: `issue estate green=elderly id=k1 born=1950-01-01`, `call-next 1`, ...
    /// The inner `Err` is the server edge's refusal (a wrong PIN), before the core sees anything.
    pub fn command(&self, words: &[&str]) -> Result<Result<Command, Rejection>, String> {
        let (verb, args) = words.split_first().ok_or("empty command")?;
        let arg = |i: usize| args.get(i).copied().ok_or_else(|| format!("`{verb}` needs argument {}", i + 1));
        let opt = |name: &str| args.iter().find_map(|a| a.strip_prefix(name).and_then(|v| v.strip_prefix('=')));
        let w = |i: usize| self.window(arg(i)?);
        Ok(Ok(match *verb {
            "open-day" => Command::OpenDay { date: arg(0)?.parse()? },
            "close-day" => Command::CloseDay,
            "issue" => Command::IssueTicket {
                matter: self.matter(arg(0)?)?,
                green: opt("green").map(parse_green).transpose()?,
                holder: opt("id").map(|key| Holder {
                    key: HolderKey(key.to_owned()),
                    birth_date: opt("born").and_then(|b| b.parse().ok()),
                }),
                source: None,
            },
            "book" => Command::BookAppointment {
                code: arg(0)?.to_owned(),
                matter: self.matter(arg(1)?)?,
                start: self.time(arg(2)?)?,
                end: self.time(arg(3)?)?,
            },
            "check-in" => Command::CheckIn { code: arg(0)?.to_owned(), source: None },
            "cancel" => Command::CancelTicket { ticket: self.ticket(arg(0)?)?, by: None },
            "sign-in" => {
                let window = w(0)?;
                let Some(clerk) = self.hall.config().clerk_by_key(arg(1)?) else {
                    return Ok(Err(onewindow::core::Rejection::UnknownClerk));
                };
                let stored = test_pins().remove(arg(1)?).unwrap_or_default();
                if !onewindow::pin::pin_matches(arg(1)?, arg(2)?, &stored) {
                    return Ok(Err(onewindow::core::Rejection::WrongPin));
                }
                Command::SignIn { window, clerk }
            }
            "sign-out" => Command::SignOut { window: w(0)? },
            "pause" => Command::Pause { window: w(0)? },
            "resume" => Command::Resume { window: w(0)? },
            "call-next" => Command::CallNext { window: w(0)? },
            "call-number" => Command::CallNumber {
                window: w(0)?,
                number: arg(1)?.parse().map_err(|()| format!("bad ticket number `{}`", args[1]))?,
            },
            "recall" => Command::Recall { window: w(0)? },
            "start" => Command::StartService { window: w(0)? },
            "finish" => Command::Finish { window: w(0)?, outcome: parse_outcome(args.get(1).copied())? },
            "no-show" => Command::NoShow { window: w(0)? },
            "transfer" => Command::Transfer {
                window: w(0)?,
                to: TransferTo {
                    matter: opt("matter").map(|m| self.matter(m)).transpose()?,
                    window: opt("window").map(|n| self.window(n)).transpose()?,
                    first: args.contains(&"first"),
                },
            },
            "hold" => Command::Hold { window: w(0)? },
            "resume-held" => Command::ResumeHeld { window: w(0)?, ticket: self.ticket(arg(1)?)? },
            "rate" => Command::Rate {
                window: w(0)?,
                ticket: self.ticket(arg(1)?)?,
                rating: parse_rating(arg(2)?)?,
                reason: arg(3).ok().map(str::to_owned),
                comment: (args.len() > 4).then(|| args[4..].join(" ")),
            },
            // `case 1 assigned 王科长 note…` / `case 1 contacted note…` / `case 1 resolved note…`
            "case" => {
                let step = match arg(1)? {
                    "assigned" => onewindow::core::cases::CaseStep::Assigned { to: arg(2)?.to_owned() },
                    "contacted" => onewindow::core::cases::CaseStep::Contacted,
                    "resolved" => onewindow::core::cases::CaseStep::Resolved,
                    other => return Err(format!("unknown case step `{other}`")),
                };
                let skip = if arg(1)? == "assigned" { 3 } else { 2 };
                Command::ProgressCase {
                    case: arg(0)?.parse().map_err(|_| "bad case number")?,
                    step,
                    note: args.get(skip..).unwrap_or_default().join(" "),
                }
            }
            "open-window" => Command::OpenWindow { window: w(0)? },
            "close-window" => Command::CloseWindow { window: w(0)? },
            "skills" => Command::SetSkills {
                window: w(0)?,
                skills: MatterSet::of(
                    args.get(1)
                        .copied()
                        .unwrap_or_default()
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(|m| self.matter(m))
                        .collect::<Result<Vec<_>, _>>()?,
                ),
            },
            "notice" => Command::PostNotice { text: args.join(" ") },
            "review-staffing" => Command::ReviewStaffing,
            "accept-staffing" => Command::AcceptStaffing { window: w(0)? },
            "help" => Command::RequestHelp { kiosk: arg(0)?.to_owned() },
            "answer-help" => Command::AnswerHelp { kiosk: arg(0)?.to_owned() },
            // `confirm-class 3 keep` / `confirm-class 3 downgrade`: the clerk's check of a 自报 class.
            "confirm-class" => Command::ConfirmClass { window: w(0)?, keep: arg(1)? == "keep" },
            // `lock c1 5 09:30`: five wrong PINs lock c1 until 09:30.
            "lock" => Command::LockClerk {
                clerk: self.hall.config().clerk_by_key(arg(0)?).ok_or("unknown clerk")?,
                failures: arg(1)?.parse().map_err(|_| "bad count")?,
                until: self.time(arg(2)?)?,
            },
            // `retire window 4` / `retire matter tax` / `retire clerk c2`: the configuration without it.
            "retire" => {
                let mut layout = self.hall.config().layout();
                let found = match arg(0)? {
                    "window" => {
                        layout.windows.iter_mut().find(|w| w.number.to_string() == args[1]).map(|w| &mut w.retired)
                    }
                    "matter" => layout.matters.iter_mut().find(|m| m.key == args[1]).map(|m| &mut m.retired),
                    "clerk" => layout.clerks.iter_mut().find(|c| c.key == args[1]).map(|c| &mut c.retired),
                    other => return Err(format!("cannot retire a `{other}`")),
                };
                *found.ok_or_else(|| format!("nothing called `{}`", args[1]))? = true;
                Command::ChangeLayout { layout }
            }
            other => return Err(format!("unknown command `{other}`")),
        }))
    }

    /// Renders an event after it was applied.
    pub fn render(&self, event: &Event) -> String {
        let hall = &self.hall;
        let staffing = |t: &Option<StaffingTrigger>| match t {
            None => String::new(),
            Some(t) => format!(
                " ({} waiting {} windows {} predicted {} target {}m)",
                hall.config().matter(t.matter).key,
                t.waiting,
                t.windows,
                t.predicted_ms.map_or_else(|| "none".to_owned(), |p| format!("{:.1}m", p as f64 / 60_000.0)),
                t.target_ms / 60_000
            ),
        };
        let n = |t: &TicketId| hall.ticket(*t).map_or_else(|| format!("#{}", t.0), |t| hall.number(t).to_string());
        let w = |w: &WindowId| format!("w{}", hall.config().window(*w).number);
        let m = |m: &MatterId| hall.config().matter(*m).key.clone();
        match event {
            Event::DayOpened { date, .. } => format!("day-opened {date}"),
            Event::DayClosed { .. } => "day-closed".into(),
            Event::TicketIssued { ticket, matter, class, green, appointment, declared, .. } => {
                let mut s = format!("issued {} {} {}", n(ticket), m(matter), snake(class));
                if let Some(g) = green {
                    s += &format!(" green={}", snake(g));
                }
                if *declared {
                    s += " declared";
                }
                if let Some(code) = appointment {
                    s += &format!(" appointment={code}");
                }
                s
            }
            Event::AppointmentBooked { code, matter, start, end, .. } => {
                format!("booked {code} {} {}-{}", m(matter), self.clock(*start), self.clock(*end))
            }
            Event::AppointmentCancelled { code, .. } => format!("booking-cancelled {code}"),
            Event::AppointmentRescheduled { code, start, end, .. } => {
                format!("rescheduled {code} {}-{}", self.clock(*start), self.clock(*end))
            }
            Event::TicketCancelled { ticket, .. } => format!("cancelled {}", n(ticket)),
            Event::ClerkSignedIn { window, clerk, .. } => {
                format!("signed-in {} {}", w(window), hall.config().clerks[usize::from(clerk.0)].key)
            }
            Event::ClerkSignedOut { window, .. } => format!("signed-out {}", w(window)),
            Event::WindowPaused { window, .. } => format!("paused {}", w(window)),
            Event::WindowResumed { window, .. } => format!("resumed {}", w(window)),
            Event::TicketCalled { ticket, window, reason, .. } => {
                format!("called {} {} {}", n(ticket), w(window), render_reason(reason))
            }
            Event::TicketRecalled { ticket, window, recalls, .. } => {
                format!("recalled {} {} #{recalls}", n(ticket), w(window))
            }
            Event::ServiceStarted { ticket, window, .. } => format!("started {} {}", n(ticket), w(window)),
            Event::ServiceFinished { ticket, window, outcome, service_ms, .. } => {
                format!("finished {} {} {} {}", n(ticket), w(window), snake(outcome), duration(*service_ms))
            }
            Event::TicketNoShow { ticket, window, requeued, .. } => {
                format!("no-show {} {} {}", n(ticket), w(window), if *requeued { "requeued" } else { "ended" })
            }
            Event::TicketTransferred { ticket, from_window, matter, to_window, first, .. } => {
                let mut s = format!("transferred {} {} -> {}", n(ticket), w(from_window), m(matter));
                if let Some(to) = to_window {
                    s += &format!(" {}", w(to));
                }
                if *first {
                    s += " first";
                }
                s
            }
            Event::TicketHeld { ticket, window, .. } => format!("held {} {}", n(ticket), w(window)),
            Event::HeldTicketResumed { ticket, window, .. } => format!("resumed-held {} {}", n(ticket), w(window)),
            Event::TicketRated { ticket, window, rating, .. } => {
                format!("rated {} {} {}", n(ticket), w(window), snake(rating))
            }
            Event::TicketEnded { ticket, reason, .. } => format!("ended {} {}", n(ticket), snake(reason)),
            Event::CaseOpened { case } => format!(
                "case-opened #{} {} {} {} {} clerk={} due +{}h/+{}h/+{}h",
                case.id,
                case.number,
                w(&case.window),
                snake(&case.rating),
                case.reason.as_deref().unwrap_or("-"),
                case.clerk.map_or("-".into(), |c| hall.config().clerks[usize::from(c.0)].key.clone()),
                case.due.assign.since(case.opened_at) / 3_600_000,
                case.due.contact.since(case.opened_at) / 3_600_000,
                case.due.resolve.since(case.opened_at) / 3_600_000,
            ),
            Event::CaseProgressed { case, step, note, .. } => {
                let step = match step {
                    onewindow::core::cases::CaseStep::Assigned { to } => format!("assigned {to}"),
                    onewindow::core::cases::CaseStep::Contacted => "contacted".into(),
                    onewindow::core::cases::CaseStep::Resolved => "resolved".into(),
                };
                format!("case #{case} {step} \"{note}\"")
            }
            Event::Subscribed { ticket, .. } => format!("subscribed {}", n(ticket)),
            Event::MessageQueued { message, ticket, kind, .. } => format!("message #{message} {kind:?} {}", n(ticket)),
            Event::MessageSent { message, .. } => format!("message-sent #{message}"),
            Event::WindowOpened { window, trigger, .. } => format!("window-opened {}{}", w(window), staffing(trigger)),
            Event::WindowClosed { window, trigger, .. } => format!("window-closed {}{}", w(window), staffing(trigger)),
            Event::StaffingRequested { window, trigger, .. } => {
                format!("staffing-requested {}{}", w(window), staffing(&Some(*trigger)))
            }
            Event::StaffingWithdrawn { window, .. } => format!("staffing-withdrawn {}", w(window)),
            Event::SkillsChanged { window, skills, .. } => {
                format!("skills {} {}", w(window), skills.iter().map(|x| m(&x)).collect::<Vec<_>>().join(","))
            }
            Event::IssuingStopped { matter, .. } => format!("issuing-stopped {}", m(matter)),
            Event::IssuingResumed { matter, .. } => format!("issuing-resumed {}", m(matter)),
            Event::NoticePosted { text, .. } => format!("notice \"{text}\""),
            Event::HelpAnswered { kiosk, .. } => format!("help-answered {kiosk}"),
            Event::ClassConfirmed { ticket, window, kept, .. } => {
                format!("class-{} {} {}", if *kept { "kept" } else { "downgraded" }, n(ticket), w(window))
            }
            Event::LayoutChanged { layout, .. } => {
                let retired = |r: bool| if r { "-" } else { "" };
                let matters: Vec<String> =
                    layout.matters.iter().map(|m| format!("{}{}", retired(m.retired), m.key)).collect();
                let windows: Vec<String> =
                    layout.windows.iter().map(|w| format!("{}w{}", retired(w.retired), w.number)).collect();
                let clerks: Vec<String> =
                    layout.clerks.iter().map(|c| format!("{}{}", retired(c.retired), c.key)).collect();
                format!(
                    "layout matters={} windows={} clerks={}",
                    matters.join(","),
                    windows.join(","),
                    clerks.join(",")
                )
            }
            Event::ClerkLocked { clerk, failures, until, .. } => {
                let key = &hall.config().clerks[usize::from(clerk.0)].key;
                let (_, minute) = until.local(hall.config().utc_offset_min);
                format!("clerk-locked {key} failures={failures} until={:02}:{:02}", minute / 60, minute % 60)
            }
            Event::HelpRequested { kiosk, .. } => format!("help {kiosk}"),
        }
    }

    fn clock(&self, t: Timestamp) -> String {
        let (_, minute) = t.local(self.hall.config().utc_offset_min);
        format!("{:02}:{:02}", minute / 60, minute % 60)
    }
}

fn render_reason(reason: &CallReason) -> String {
    match reason {
        CallReason::MaxWait { wait_ms } => format!("max-wait({})", duration(*wait_ms)),
        CallReason::Targeted => "targeted".into(),
        CallReason::Returning => "returning".into(),
        CallReason::Appointment => "appointment".into(),
        CallReason::Green => "green".into(),
        CallReason::Policy { policy, wait_ms, target_ms, protected } => format!(
            "{}(wait {} of {}{})",
            policy.name(),
            duration(*wait_ms),
            duration(*target_ms),
            if *protected { ", protected" } else { "" }
        ),
        CallReason::EarlyAppointment => "early-appointment".into(),
        CallReason::ByNumber => "by-number".into(),
    }
}

/// `12m`, or `12m30s` when not whole minutes.
pub fn duration(ms: i64) -> String {
    let s = ms / 1000;
    if s % 60 == 0 {
        format!("{}m", s / 60)
    } else {
        format!("{}m{}s", s / 60, s % 60)
    }
}

/// The snake_case wire name of a vocabulary value.
pub fn snake<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn parse_green(s: &str) -> Result<GreenReason, String> {
    serde_json::from_value(serde_json::Value::from(s)).map_err(|_| format!("bad green reason `{s}`"))
}

fn parse_outcome(s: Option<&str>) -> Result<Outcome, String> {
    match s {
        None => Ok(Outcome::Completed),
        Some(s) => serde_json::from_value(serde_json::Value::from(s)).map_err(|_| format!("bad outcome `{s}`")),
    }
}

fn parse_rating(s: &str) -> Result<Rating, String> {
    serde_json::from_value(serde_json::Value::from(s)).map_err(|_| format!("bad rating `{s}`"))
}
