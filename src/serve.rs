//! `planpub serve` (being written).
pub fn serve(_root: &std::path::Path, _bind: &str, _port: u16) -> Result<(), String> {
    Err("serve is not implemented yet".into())
}
