//! Embeds every file of `web/` (the terminals' pages, scripts, styles and the default voice clips) in the
//! binary: writes `$OUT_DIR/assets.rs`, a list of `(path under web/, bytes)` that `server::pages` unpacks.

use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> =
        std::fs::read_dir(dir).expect("web/ is readable").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let web = Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it")).join("web");
    println!("cargo:rerun-if-changed={}", web.display());
    let mut files = Vec::new();
    walk(&web, &mut files);
    let mut code = String::from("&[\n");
    for file in files {
        let name = file.strip_prefix(&web).expect("under web/").to_string_lossy().replace('\\', "/");
        code += &format!("    ({name:?}, include_bytes!({:?})),\n", file.display().to_string());
    }
    code += "]\n";
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets it")).join("assets.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
