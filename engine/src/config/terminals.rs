//! How the terminal pages behave (`[terminals]`): served to them with the hall's texts at
//! `/api/texts`, so a hall changes its kiosks, displays and evaluator pads in one file.

use super::{invalid, valid_key, ConfigError};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// One reason a citizen may give for 不满意 or 非常不满意 on an evaluator pad.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RatingReason {
    /// Recorded with the rating in the ledger, e.g. `long_wait`.
    pub key: String,
    /// Shown in Chinese.
    pub zh: String,
    /// Shown in English.
    pub en: String,
}

/// A line of a matter's 一次性告知, in Chinese and English.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    /// Shown in Chinese.
    pub zh: String,
    /// Shown in English.
    pub en: String,
}

/// What a citizen must bring for a matter and the conditions to meet (一次性告知): shown on the kiosk
/// before the ticket is issued, on the mobile ticket, and printed if `print_notice`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct MatterNotice {
    /// Documents to bring (材料).
    pub documents: Vec<Line>,
    /// Conditions to meet (条件).
    pub conditions: Vec<Line>,
}

/// The most lines a notice's list may have (a kiosk shows them on one screen).
const NOTICE_LINES: usize = 20;
/// The longest line, in characters.
const NOTICE_LINE_CHARS: usize = 120;

/// A matter's notice from its `documents` and `conditions` keys, checked; `None` if both are empty.
pub(super) fn notice(
    matter: usize,
    documents: Vec<Line>,
    conditions: Vec<Line>,
) -> Result<Option<MatterNotice>, ConfigError> {
    for (field, lines) in [("documents", &documents), ("conditions", &conditions)] {
        if lines.len() > NOTICE_LINES {
            return Err(invalid(format!("matter[{matter}].{field}"), format!("at most {NOTICE_LINES} lines")));
        }
        for (i, line) in lines.iter().enumerate() {
            let bad = |t: &str| t.trim().is_empty() || t.chars().count() > NOTICE_LINE_CHARS;
            if bad(&line.zh) || bad(&line.en) {
                return Err(invalid(
                    format!("matter[{matter}].{field}[{i}]"),
                    format!("zh and en must each be 1–{NOTICE_LINE_CHARS} characters"),
                ));
            }
        }
    }
    Ok((!documents.is_empty() || !conditions.is_empty()).then_some(MatterNotice { documents, conditions }))
}

/// The terminals' settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Terminals {
    /// Seconds a kiosk shows the ticket it printed before clearing it (the next touch clears it sooner).
    pub kiosk_clear_s: u32,
    /// Seconds each of the hall's languages stays on a wall display before the next takes over.
    pub language_switch_s: u32,
    /// Whether a window display (`/display?window=N`) speaks its window's calls; the hall display always does.
    pub window_display_voice: bool,
    /// An estimate (its P80, minutes) from which the kiosk suggests booking instead; none: no suggestion.
    pub booking_hint_after_min: Option<u32>,
    /// Where to book, said with the suggestion (Chinese, English).
    pub booking_hint_zh: String,
    /// The same in English.
    pub booking_hint_en: String,
    /// Reasons offered after 不满意 / 非常不满意, in order.
    pub rating_reasons: Vec<RatingReason>,
    /// Whether the kiosk prints the matter's documents list (一次性告知) on the ticket.
    pub print_notice: bool,
    /// The mobile ticket alerts its holder once this many people or fewer are ahead.
    pub near_ahead: u32,
    /// Whether the hall sends "your turn is near" messages (it has a `[gateway]`): the kiosk and the
    /// mobile ticket offer them.
    #[serde(skip_deserializing)]
    pub messages: bool,
    /// Each matter's 一次性告知 by matter key (from the `[[matter]]` tables, not from `[terminals]`).
    #[serde(skip_deserializing)]
    pub notices: std::collections::BTreeMap<String, MatterNotice>,
    /// A folder of the hall's own voice clips (`zh/qing.wav`, `en/ticket.wav`, ...: the names of the set
    /// shipped in the binary), used before the shipped ones. Not sent to terminals.
    #[serde(skip_serializing)]
    pub voice_clips: Option<std::path::PathBuf>,
}

impl Default for Terminals {
    fn default() -> Terminals {
        let reason = |key: &str, zh: &str, en: &str| RatingReason { key: key.into(), zh: zh.into(), en: en.into() };
        Terminals {
            kiosk_clear_s: 20,
            language_switch_s: 10,
            window_display_voice: false,
            booking_hint_after_min: None,
            booking_hint_zh: String::new(),
            booking_hint_en: String::new(),
            voice_clips: None,
            print_notice: false,
            near_ahead: 3,
            messages: false,
            notices: std::collections::BTreeMap::new(),
            rating_reasons: vec![
                reason("long_wait", "等候时间长", "Waited too long"),
                reason("attitude", "服务态度不好", "Unfriendly service"),
                reason("slow", "办事效率低", "Slow handling"),
                reason("not_told", "材料要求未一次告知", "Not told everything at once"),
                reason("not_done", "事项未办成", "Matter not done"),
                reason("other", "其他", "Other"),
            ],
        }
    }
}

impl Terminals {
    /// Whether `key` is one of the configured rating reasons.
    pub fn is_reason(&self, key: &str) -> bool {
        self.rating_reasons.iter().any(|r| r.key == key)
    }
}

pub(super) fn validate(t: Terminals) -> Result<Terminals, ConfigError> {
    if !(5..=300).contains(&t.kiosk_clear_s) {
        return Err(invalid("terminals.kiosk_clear_s", "must be 5–300 seconds"));
    }
    if !(3..=120).contains(&t.language_switch_s) {
        return Err(invalid("terminals.language_switch_s", "must be 3–120 seconds"));
    }
    if t.booking_hint_after_min == Some(0) {
        return Err(invalid("terminals.booking_hint_after_min", "must be positive (leave it out for no suggestion)"));
    }
    if t.booking_hint_after_min.is_some() && t.booking_hint_zh.trim().is_empty() {
        return Err(invalid("terminals.booking_hint_zh", "says where to book: needed with booking_hint_after_min"));
    }
    if let Some(dir) = &t.voice_clips {
        if !dir.is_dir() {
            return Err(invalid("terminals.voice_clips", format!("{} is not a folder", dir.display())));
        }
    }
    let mut keys = HashSet::new();
    for (i, r) in t.rating_reasons.iter().enumerate() {
        if !valid_key(&r.key) || !keys.insert(r.key.as_str()) {
            return Err(invalid(
                format!("terminals.rating_reasons[{i}].key"),
                format!("`{}` must be unique, 1–32 of a-z, 0-9, _ and -", r.key),
            ));
        }
        if r.zh.trim().is_empty() || r.en.trim().is_empty() {
            return Err(invalid(format!("terminals.rating_reasons[{i}]"), "zh and en must not be empty"));
        }
    }
    if t.near_ahead > 50 {
        return Err(invalid("terminals.near_ahead", "must be 0–50 people"));
    }
    if t.rating_reasons.len() > 12 {
        return Err(invalid("terminals.rating_reasons", "at most 12 (they are buttons on a pad)"));
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_bad_values_name_their_key() {
        assert!(validate(Terminals::default()).is_ok());
        let bad = |t: Terminals| match validate(t) {
            Err(ConfigError::Invalid { key, .. }) => key,
            other => panic!("expected a refusal, got {other:?}"),
        };
        assert_eq!(bad(Terminals { kiosk_clear_s: 2, ..Terminals::default() }), "terminals.kiosk_clear_s");
        assert_eq!(
            bad(Terminals { booking_hint_after_min: Some(60), ..Terminals::default() }),
            "terminals.booking_hint_zh"
        );
        let mut twice = Terminals::default();
        twice.rating_reasons.push(twice.rating_reasons[0].clone());
        assert_eq!(bad(twice), "terminals.rating_reasons[6].key");
    }
}
