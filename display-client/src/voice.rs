//! The recorded clips that say a call, in order: the same sequence as the hall display's `voice.js`
//! (`OWVoice.clipsFor`), so a box with a speaker says what the wall screen says. `zh`:
//! 请 · E · 0 · 0 · 1 · 号 · 到 · 十 · 二 · 号窗口 · 办理; `en`: ticket · E · 0 · 0 · 1 · please go to window · 12.

/// 12 → 十二, 20 → 二十, 105 → 一百零五; digit by digit from 1,000 on.
fn zh_number(n: u16) -> Vec<String> {
    let d = |x: u16| x.to_string();
    match n {
        0..=9 => vec![d(n)],
        10..=99 => {
            let (tens, units) = (n / 10, n % 10);
            let mut v = if tens > 1 { vec![d(tens)] } else { Vec::new() };
            v.push("shi".into());
            if units > 0 {
                v.push(d(units));
            }
            v
        }
        100..=999 => {
            let (hundreds, rest) = (n / 100, n % 100);
            let mut v = vec![d(hundreds), "bai".into()];
            match rest {
                0 => {}
                1..=9 => v.extend(["0".into(), d(rest)]),
                10..=19 => v.extend(std::iter::once("1".to_owned()).chain(zh_number(rest))),
                _ => v.extend(zh_number(rest)),
            }
            v
        }
        _ => n.to_string().chars().map(String::from).collect(),
    }
}

/// 12 → twelve, 47 → forty seven; digit by digit from 100 on.
fn en_number(n: u16) -> Vec<String> {
    match n {
        0..=19 => vec![n.to_string()],
        20..=99 => {
            let mut v = vec![(n - n % 10).to_string()];
            if n % 10 > 0 {
                v.push((n % 10).to_string());
            }
            v
        }
        _ => n.to_string().chars().map(String::from).collect(),
    }
}

/// The clips (`SET/NAME`, files `SET/NAME.wav`) of a call of `ticket` to `window` in a language (`zh…`
/// or `en…`); `None` for a language without clips.
pub fn clips_for(ticket: &str, window: u16, lang: &str, recall: bool) -> Option<Vec<String>> {
    let spell = ticket.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase().to_string());
    let (set, words): (&str, Vec<String>) = if lang.starts_with("zh") {
        let mut w: Vec<String> = if recall { vec!["chonghu".into()] } else { Vec::new() };
        w.push("qing".into());
        w.extend(spell);
        w.extend(["hao".into(), "dao".into()]);
        w.extend(zh_number(window));
        w.extend(["haochuangkou".into(), "banli".into()]);
        ("zh", w)
    } else if lang.starts_with("en") {
        let mut w: Vec<String> = if recall { vec!["recall".into()] } else { Vec::new() };
        w.push("ticket".into());
        w.extend(spell);
        w.push("please_go_to_window".into());
        w.extend(en_number(window));
        ("en", w)
    } else {
        return None;
    };
    Some(words.into_iter().map(|w| format!("{set}/{w}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq(words: &[&str]) -> Option<Vec<String>> {
        Some(words.iter().map(|w| (*w).to_owned()).collect())
    }

    #[test]
    fn the_sequences_match_the_hall_displays() {
        // The same three cases as the browser test of voice.js.
        assert_eq!(
            clips_for("E001", 9, "zh", false),
            seq(&[
                "zh/qing",
                "zh/E",
                "zh/0",
                "zh/0",
                "zh/1",
                "zh/hao",
                "zh/dao",
                "zh/9",
                "zh/haochuangkou",
                "zh/banli"
            ])
        );
        assert_eq!(
            clips_for("A023", 12, "zh", true),
            seq(&[
                "zh/chonghu",
                "zh/qing",
                "zh/A",
                "zh/0",
                "zh/2",
                "zh/3",
                "zh/hao",
                "zh/dao",
                "zh/shi",
                "zh/2",
                "zh/haochuangkou",
                "zh/banli"
            ])
        );
        assert_eq!(
            clips_for("B105", 21, "en-US", false),
            seq(&["en/ticket", "en/B", "en/1", "en/0", "en/5", "en/please_go_to_window", "en/20", "en/1"])
        );
        assert_eq!(clips_for("A001", 1, "bo", false), None);
    }

    #[test]
    fn chinese_numbers_are_read_as_numbers() {
        let zh = |n| zh_number(n).join(" ");
        assert_eq!(zh(10), "shi");
        assert_eq!(zh(20), "2 shi");
        assert_eq!(zh(105), "1 bai 0 5");
        assert_eq!(zh(110), "1 bai 1 shi");
        assert_eq!(zh(300), "3 bai");
        assert_eq!(zh(1234), "1 2 3 4");
    }
}
