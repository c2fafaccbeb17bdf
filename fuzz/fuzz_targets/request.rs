//! Any bytes a terminal may send as a request: parsing never panics, a refusal names the request's id
//! when the text has one, and whatever parses names a known request type.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match kiosk_protocol::Request::parse(text) {
        Ok(request) => assert!(kiosk_protocol::RequestBody::KINDS.contains(&request.body.kind())),
        Err((id, message)) => {
            assert!(!message.is_empty());
            if let Some(id) = id {
                let value: serde_json::Value = serde_json::from_str(text).expect("an id was read from JSON");
                assert_eq!(value.get("id").and_then(serde_json::Value::as_u64), Some(id));
            }
        }
    }
});
