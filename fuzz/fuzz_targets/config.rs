//! Any hall configuration text: parsing never panics, and a configuration it accepts is one the
//! server can run (every window serves known matters, the check-config description renders).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok((hall, settings)) = onewindow::config::parse_full(text) {
        assert!(!hall.matters.is_empty() && !hall.windows.is_empty());
        for w in &hall.windows {
            for m in w.skills.iter() {
                assert!(usize::from(m.0) < hall.matters.len());
            }
        }
        assert!(!settings.languages.is_empty());
    }
});
