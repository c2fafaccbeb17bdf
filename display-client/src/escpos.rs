//! A ticket as ESC/POS bytes for an 80 mm thermal printer (Epson TM-T88 and the many Chinese printers that
//! speak its commands): centred, the number bold at double size, Chinese in GB18030 (the printers'
//! code page in Chinese mode), the QR code drawn by the printer itself (`GS ( k`, model 2, level M), then
//! a feed and a partial cut. Pure: the same ticket always gives the same bytes (a golden-file test).

use encoding_rs::GB18030;

/// What a printed ticket says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Printout {
    /// The hall's name.
    pub hall: String,
    /// The ticket number, e.g. `A023`.
    pub number: String,
    /// The matter's name.
    pub matter: String,
    /// Green-channel line, if any (e.g. `绿色通道 · 老年人`).
    pub green: Option<String>,
    /// People ahead when it was issued.
    pub ahead: u32,
    /// The estimated wait in minutes (median, 80th percentile), when the engine has one.
    pub estimate: Option<(i64, i64)>,
    /// When, in the hall's local time, e.g. `2026-03-02 10:05`.
    pub issued: String,
    /// What the QR code holds: the ticket's page.
    pub url: String,
}

const ESC: u8 = 0x1b;
const GS: u8 = 0x1d;
const FS: u8 = 0x1c;

fn text(out: &mut Vec<u8>, s: &str) {
    let (bytes, _, _) = GB18030.encode(s);
    out.extend_from_slice(&bytes);
    out.push(b'\n');
}

/// The bytes that print `p`.
pub fn ticket(p: &Printout) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(&[ESC, b'@']); // initialise
    out.extend_from_slice(&[FS, b'&']); // Chinese character mode
    out.extend_from_slice(&[ESC, b'a', 1]); // centre
    text(&mut out, &p.hall);
    text(&mut out, "您的号码 Your number");
    out.extend_from_slice(&[ESC, b'E', 1, GS, b'!', 0x11]); // bold, double width and height
    text(&mut out, &p.number);
    out.extend_from_slice(&[GS, b'!', 0x00, ESC, b'E', 0]);
    out.extend_from_slice(&[GS, b'!', 0x01]); // double height for the matter
    text(&mut out, &p.matter);
    out.extend_from_slice(&[GS, b'!', 0x00]);
    if let Some(green) = &p.green {
        text(&mut out, green);
    }
    text(&mut out, &format!("前面还有 {} 人", p.ahead));
    if let Some((lo, hi)) = p.estimate {
        let range = if lo == hi { lo.to_string() } else { format!("{lo}–{hi}") };
        text(&mut out, &format!("预计等候 约 {range} 分钟"));
    }
    text(&mut out, &format!("取号时间 {}", p.issued));
    qr(&mut out, p.url.as_bytes());
    out.extend_from_slice(&[ESC, b'd', 4]); // feed 4 lines
    out.extend_from_slice(&[GS, b'V', 66, 0]); // partial cut
    out
}

/// `GS ( k`: model 2, module size 6, error correction M, store the data, print it.
fn qr(out: &mut Vec<u8>, data: &[u8]) {
    let fun = |out: &mut Vec<u8>, body: &[u8]| {
        let len = body.len() as u16;
        out.extend_from_slice(&[GS, b'(', b'k', (len & 0xff) as u8, (len >> 8) as u8]);
        out.extend_from_slice(body);
    };
    fun(out, &[49, 65, 50, 0]); // model 2
    fun(out, &[49, 67, 6]); // module size
    fun(out, &[49, 69, 49]); // level M
    let mut store = vec![49, 80, 48];
    store.extend_from_slice(&data[..data.len().min(7000)]);
    fun(out, &store);
    fun(out, &[49, 81, 48]); // print
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_gb18030_and_the_qr_holds_the_url() {
        let p = Printout {
            hall: "大厅".into(),
            number: "A023".into(),
            matter: "不动产登记".into(),
            green: None,
            ahead: 3,
            estimate: Some((12, 18)),
            issued: "2026-03-02 10:05".into(),
            url: "http://hall/t/2026-03-02/A023".into(),
        };
        let bytes = ticket(&p);
        let (gb, _, _) = GB18030.encode("不动产登记");
        assert!(bytes.windows(gb.len()).any(|w| w == &gb[..]), "the matter in GB18030");
        let url = b"http://hall/t/2026-03-02/A023";
        let mut store = vec![GS, b'(', b'k', (url.len() + 3) as u8, 0, 49, 80, 48];
        store.extend_from_slice(url);
        assert!(bytes.windows(store.len()).any(|w| w == &store[..]), "QR store command with the URL");
        assert!(bytes.ends_with(&[GS, b'V', 66, 0]), "cut last");
    }
}
