//! The HTTP side of `planpub serve`: hyper's HTTP/1.1 server on a tokio
//! runtime of one thread, answering from the in-memory site.
//!
//! What it holds to, whatever clients do:
//!
//! * At most [`MAX_CONNECTIONS`] connections at once (fewer if the open
//!   file limit is low); more wait in the kernel's queue until one
//!   closes. A connection costs a task, not a thread: the threads are
//!   this one and the rebuild's.
//! * A request head of at most [`MAX_HEAD_BYTES`], read within
//!   [`HEAD_TIMEOUT`] (which also closes idle kept-alive connections);
//!   larger heads get 431.
//! * Accepting never stops: when the process is out of file descriptors
//!   it waits and tries again, and answers as soon as connections close.
//! * Bound to a loopback address, it answers only requests whose `Host`
//!   names loopback (DNS rebinding would otherwise let any web page the
//!   user opens read the site and the error reports, which name local
//!   paths).
//! * No path outside the output can be reached: request paths are looked
//!   up in the in-memory file map after normalising.

use super::Live;
use super::session::SharedOutput;
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

/// The most connections served at once.
const MAX_CONNECTIONS: usize = 256;
/// File descriptors kept free of connections for the rebuilds (reading
/// sources, the watcher) when the open file limit is low.
#[cfg(unix)]
const RESERVED_FDS: u64 = 64;
/// The most bytes of a request line and headers.
const MAX_HEAD_BYTES: usize = 64 * 1024;
/// How long a client may take to send a request head, and how long a
/// kept-alive connection may stay idle.
const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// How long to wait before accepting again after running out of file
/// descriptors (or memory for a socket).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// How often at most to say that connections cannot be accepted.
const COMPLAINT_INTERVAL: Duration = Duration::from_secs(30);

/// The script injected into served pages.
const LIVE_RELOAD_SCRIPT: &str = include_str!("live.js");

/// What the HTTP side serves.
pub(super) struct Site {
    pub output: SharedOutput,
    pub live: Arc<Live>,
    /// The first build's pages, on demand until it is done.
    pub early: Arc<super::session::EarlySlot>,
    /// Answer only `Host`s that name loopback (the listener is bound to a
    /// loopback address).
    pub loopback_only: bool,
}

/// How many connections the kernel may queue for accepting: beyond the
/// cap, connections wait there (with a small queue, the kernel drops
/// their handshakes and clients retry only after a second or more).
const LISTEN_BACKLOG: u32 = 1024;

/// The runtime the HTTP side runs on: one thread (this one), which is
/// plenty for one person's browser and bounds the threads whatever
/// clients do.
pub(super) fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| format!("cannot start the HTTP server: {e}"))
}

/// Binds the listening socket (in `runtime`), with a clear error for a
/// busy port.
pub(super) fn bind(
    runtime: &tokio::runtime::Runtime,
    bind: &str,
    port: u16,
) -> Result<tokio::net::TcpListener, String> {
    use std::net::ToSocketAddrs;
    let shown = if bind.contains(':') && !bind.starts_with('[') {
        format!("[{bind}]:{port}")
    } else {
        format!("{bind}:{port}")
    };
    let bind = bind.trim_start_matches('[').trim_end_matches(']');
    let addr = (bind, port)
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| format!("cannot listen on {shown}: not an address of this machine"))?;
    let _guard = runtime.enter();
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()
    } else {
        tokio::net::TcpSocket::new_v6()
    }
    .map_err(|e| format!("cannot listen on {shown}: {e}"))?;
    #[cfg(unix)]
    let _ = socket.set_reuseaddr(true);
    socket
        .bind(addr)
        .and_then(|()| socket.listen(LISTEN_BACKLOG))
        .map_err(|e| {
            format!(
                "cannot listen on {shown}: {e} (is port {port} already in use? choose another with --port)"
            )
        })
}

/// Raises the soft limit on open files to the hard limit (as Go's runtime
/// does): 1,024 is a common soft limit, and browsers, `wrk` or a load
/// test open many connections.
pub(super) fn raise_open_file_limit() {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, getrlimit, setrlimit};
        let limit = getrlimit(Resource::Nofile);
        // `None` is no limit.
        let below = match (limit.current, limit.maximum) {
            (Some(current), Some(maximum)) => current < maximum,
            (Some(_), None) => true,
            (None, _) => false,
        };
        if below {
            let raised = rustix::process::Rlimit {
                current: limit.maximum,
                maximum: limit.maximum,
            };
            let _ = setrlimit(Resource::Nofile, raised);
        }
    }
}

/// The connection cap: [`MAX_CONNECTIONS`], or fewer when the open file
/// limit would not leave [`RESERVED_FDS`] beside them.
fn max_connections() -> usize {
    #[cfg(unix)]
    if let Some(current) = rustix::process::getrlimit(rustix::process::Resource::Nofile).current {
        let room = current.saturating_sub(RESERVED_FDS);
        return (room.min(MAX_CONNECTIONS as u64) as usize).max(8);
    }
    MAX_CONNECTIONS
}

/// Serves `site` on `listener` until the process is stopped.
pub(super) fn run(
    runtime: tokio::runtime::Runtime,
    listener: tokio::net::TcpListener,
    site: Site,
) -> Result<(), String> {
    runtime.block_on(accept_forever(listener, Arc::new(site)));
    Ok(())
}

async fn accept_forever(listener: tokio::net::TcpListener, site: Arc<Site>) {
    let cap = max_connections();
    let slots = Arc::new(tokio::sync::Semaphore::new(cap));
    // When the last "out of file descriptors" message was printed: one
    // in a while says it, one per refused accept would flood.
    let mut last_complaint: Option<tokio::time::Instant> = None;
    loop {
        // Wait for a free slot before accepting: more connections than
        // the cap wait in the kernel's queue, not in memory here.
        let slot = slots
            .clone()
            .acquire_owned()
            .await
            .expect("the connection semaphore is never closed");
        let stream = loop {
            match listener.accept().await {
                Ok((stream, _)) => break stream,
                Err(e) if is_out_of_resources(&e) => {
                    if last_complaint.is_none_or(|t| t.elapsed() > COMPLAINT_INTERVAL) {
                        eprintln!(
                            "cannot accept a connection: {e}; trying again as connections close (serve holds at most {cap} connections; `ulimit -n` raises the open file limit)"
                        );
                        last_complaint = Some(tokio::time::Instant::now());
                    }
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                }
                // The client gave up before it was accepted, or similar:
                // nothing to do for this one.
                Err(_) => {}
            }
        };
        let _ = stream.set_nodelay(true);
        let site = site.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request| {
                let site = site.clone();
                async move { Ok::<_, Infallible>(respond(&site, request).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(HEAD_TIMEOUT)
                .max_buf_size(MAX_HEAD_BYTES)
                .max_header_size(MAX_HEAD_BYTES)
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
            drop(slot);
        });
    }
}

/// Errors of `accept` that pass once other connections close.
fn is_out_of_resources(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    if e.raw_os_error().is_some() {
        use rustix::io::Errno;
        return matches!(
            Errno::from_io_error(e),
            Some(Errno::MFILE | Errno::NFILE | Errno::NOBUFS | Errno::NOMEM)
        );
    }
    e.kind() == std::io::ErrorKind::OutOfMemory
}

type Answer = Response<Full<Bytes>>;

fn answer(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Answer {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type).expect("a valid content type"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

fn text(status: StatusCode, body: String) -> Answer {
    answer(status, "text/plain; charset=utf-8", body + "\n")
}

fn redirect(location: &str) -> Answer {
    let mut r = answer(StatusCode::FOUND, "text/plain; charset=utf-8", "");
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

async fn respond(site: &Site, request: Request<Incoming>) -> Answer {
    if site.loopback_only
        && let Some(host) = foreign_host(&request)
    {
        return text(
            StatusCode::FORBIDDEN,
            format!(
                "planpub serve answers only requests for 127.0.0.1, localhost or [::1], not {host:?}: a web page could otherwise read this site through DNS rebinding (to serve other addresses, start it with --bind)"
            ),
        );
    }
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        let mut r = text(
            StatusCode::METHOD_NOT_ALLOWED,
            "planpub serve answers only GET and HEAD".into(),
        );
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    let path = request.uri().path();
    if path == "/__planpub/live.js" {
        return answer(
            StatusCode::OK,
            "text/javascript; charset=utf-8",
            LIVE_RELOAD_SCRIPT,
        );
    }
    if path == "/__planpub/poll" {
        let since = request
            .uri()
            .query()
            .unwrap_or("")
            .split('&')
            .find_map(|kv| kv.strip_prefix("since="))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let body = site.live.poll(since).await;
        return answer(StatusCode::OK, "application/json; charset=utf-8", body);
    }
    serve_file(site, path)
}

/// The `Host` of a request (or the authority of an absolute-form target)
/// when it does not name a loopback address; `None` when it does or
/// there is none (no browser leaves it out).
fn foreign_host(request: &Request<Incoming>) -> Option<String> {
    let host = match request.uri().authority() {
        Some(a) => a.as_str().to_string(),
        None => {
            let v = request.headers().get(header::HOST)?;
            String::from_utf8_lossy(v.as_bytes()).into_owned()
        }
    };
    if host_is_loopback(&host) {
        None
    } else {
        Some(host.chars().take(100).collect())
    }
}

/// Whether a `Host` value names this machine by a loopback name or
/// address (any port): `localhost`, `127.0.0.1`, `[::1]`.
fn host_is_loopback(host: &str) -> bool {
    let host = host.trim();
    // Strip the userinfo an absolute-form target may carry.
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let name = if let Some(rest) = host.strip_prefix('[') {
        match rest.split_once(']') {
            Some((inside, after)) if after.is_empty() || is_port(after) => inside,
            _ => return false,
        }
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if is_port(&format!(":{port}")) => name,
            Some(_) => return false,
            None => host,
        }
    };
    let name = name.strip_suffix('.').unwrap_or(name);
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn is_port(s: &str) -> bool {
    s.strip_prefix(':')
        .is_some_and(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// A page, badge, feed or data file of the site, by its URL path.
fn serve_file(site: &Site, url_path: &str) -> Answer {
    let base = site.live.base_path();
    let Some(key) = resolve_request_path(url_path) else {
        return text(
            StatusCode::BAD_REQUEST,
            format!(
                "bad request path {url_path:?}: it leaves the site (.., an encoded / or \\, or NUL)"
            ),
        );
    };
    let served = site.output.read().expect("served site lock");
    if served.files.is_empty() {
        drop(served);
        return serve_early(site, url_path, &key);
    }
    // The site lives under base_url's path, as it will when published.
    let prefix = percent_decode_path(base.trim_start_matches('/')).unwrap_or_default();
    let Some(rel) = key.strip_prefix(prefix.as_str()) else {
        drop(served);
        if key == "index.html" || format!("{key}/") == prefix {
            return redirect(&base);
        }
        return outside_base(&base, url_path);
    };
    let (status, file, bytes) = match served.files.get(rel) {
        Some(bytes) => (StatusCode::OK, rel.to_string(), bytes.clone()),
        None => {
            // `/2023/16` without the slash: redirect to the folder.
            if !rel.ends_with(".html") && served.files.contains_key(&format!("{rel}/index.html")) {
                drop(served);
                let folder = url_path.strip_suffix("/index.html").unwrap_or(url_path);
                return redirect(&format!("{folder}/"));
            }
            let not_found = served
                .files
                .get("404.html")
                .cloned()
                .unwrap_or_else(|| b"not found".to_vec());
            (StatusCode::NOT_FOUND, "404.html".to_string(), not_found)
        }
    };
    drop(served);
    let content_type = content_type(&file);
    let body = if content_type.starts_with("text/html") {
        inject_live_reload(&bytes)
    } else {
        bytes
    };
    answer(status, content_type, body)
}

/// The answer while the first build renders: the file asked for, rendered
/// on its own (see [`super::session::EarlySlot`]); or, with no build
/// under way or none that succeeded, the placeholder.
fn serve_early(site: &Site, url_path: &str, key: &str) -> Answer {
    let Some(base) = site.early.base_path() else {
        return no_site_yet();
    };
    let prefix = percent_decode_path(base.trim_start_matches('/')).unwrap_or_default();
    let Some(rel) = key.strip_prefix(prefix.as_str()) else {
        if key == "index.html" || format!("{key}/") == prefix {
            return redirect(&base);
        }
        return outside_base(&base, url_path);
    };
    let (status, file, bytes) = match site.early.file(rel) {
        None => return no_site_yet(),
        Some(Some(bytes)) => (StatusCode::OK, rel, bytes),
        // `/2023/16` without the slash: redirect to the folder.
        Some(None) if !rel.ends_with(".html") && site.early.has(&format!("{rel}/index.html")) => {
            let folder = url_path.strip_suffix("/index.html").unwrap_or(url_path);
            return redirect(&format!("{folder}/"));
        }
        Some(None) => match site.early.file("404.html").flatten() {
            Some(bytes) => (StatusCode::NOT_FOUND, "404.html", bytes),
            None => return no_site_yet(),
        },
    };
    let content_type = content_type(file);
    let body = if content_type.starts_with("text/html") {
        inject_live_reload(&bytes)
    } else {
        bytes
    };
    answer(status, content_type, body)
}

/// The answer for a page while no build has succeeded yet: the errors
/// show in the live-reload overlay, and the page reloads once the site
/// builds.
fn no_site_yet() -> Answer {
    let page = "<!doctype html>\n<html lang=\"en\" data-planpub-placeholder><meta charset=\"utf-8\"><title>planpub: no site yet</title>\n<body><h1>No site to show yet</h1><p>The site did not build: the errors are in the terminal that runs <code>planpub serve</code>. This page reloads once they are fixed.</p>\n</body></html>\n";
    answer(
        StatusCode::SERVICE_UNAVAILABLE,
        "text/html; charset=utf-8",
        inject_live_reload(page.as_bytes()),
    )
}

/// The answer for a path outside the served base path.
fn outside_base(base: &str, url_path: &str) -> Answer {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let page = format!(
        "<!doctype html>\n<html lang=\"en\"><meta charset=\"utf-8\"><title>Not found</title>\n<body><h1>Not found</h1><p>This site is served under <a href=\"{b}\">{b}</a>, the path of <code>base_url</code> in site.toml, as it will be once published. <code>{p}</code> is outside it: a link to it would break on the published site too.</p>\n</body></html>\n",
        b = esc(base),
        p = esc(url_path)
    );
    answer(
        StatusCode::NOT_FOUND,
        "text/html; charset=utf-8",
        inject_live_reload(page.as_bytes()),
    )
}

/// Decodes `%XX` escapes; `None` if the result is not UTF-8.
fn percent_decode_path(s: &str) -> Option<String> {
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(std::borrow::Cow::into_owned)
}

/// Maps a request path to a key of the output, or `None` if it tries to
/// leave the site (`..`, encoded slashes or backslashes, NUL).
pub fn resolve_request_path(url_path: &str) -> Option<String> {
    let raw = url_path.split(['?', '#']).next().unwrap_or("");
    // An encoded slash or backslash would let a segment smuggle a path.
    let lower = raw.to_ascii_lowercase();
    if lower.contains("%2f") || lower.contains("%5c") || lower.contains("%00") {
        return None;
    }
    let decoded = percent_decode_path(raw)?;
    if decoded.contains('\\') || decoded.contains('\0') {
        return None;
    }
    let mut parts = Vec::new();
    for seg in decoded.split('/') {
        match seg {
            "" | "." => {}
            ".." => return None,
            s => parts.push(s),
        }
    }
    let mut key = parts.join("/");
    if decoded.ends_with('/') || key.is_empty() {
        if !key.is_empty() {
            key.push('/');
        }
        key.push_str("index.html");
    }
    Some(key)
}

/// The Content-Type of an output file, UTF-8 for text.
pub fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json; charset=utf-8",
        "xml" => {
            if path.ends_with("updates.xml") {
                "application/atom+xml; charset=utf-8"
            } else {
                "application/xml; charset=utf-8"
            }
        }
        "svg" => "image/svg+xml; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff2" => "font/woff2",
        _ => "application/octet-stream",
    }
}

/// Adds the live-reload script to an HTML page, just before `</body>`.
fn inject_live_reload(html: &[u8]) -> Vec<u8> {
    let tag = b"<script src=\"/__planpub/live.js\"></script>\n";
    let close = b"</body>";
    match html.windows(close.len()).rposition(|w| w == close) {
        Some(i) => {
            let mut out = Vec::with_capacity(html.len() + tag.len());
            out.extend_from_slice(&html[..i]);
            out.extend_from_slice(tag);
            out.extend_from_slice(&html[i..]);
            out
        }
        None => [html, tag.as_slice()].concat(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_paths_never_resolve_outside_the_output() {
        for bad in [
            "/../etc/passwd",
            "/%2e%2e/etc/passwd",
            "/2023/..%2f..%2fetc",
            "/a/%2F..",
            "/..\\..\\x",
            "/%5c..",
            "/a/%00",
        ] {
            assert_eq!(resolve_request_path(bad), None, "{bad}");
        }
        assert_eq!(resolve_request_path("/"), Some("index.html".into()));
        assert_eq!(
            resolve_request_path("/2023/16/"),
            Some("2023/16/index.html".into())
        );
        assert_eq!(
            resolve_request_path("/2023/16/badge.svg?x=1"),
            Some("2023/16/badge.svg".into())
        );
        assert_eq!(
            resolve_request_path("/2023/tags/%E5%AD%A6/"),
            Some("2023/tags/学/index.html".into())
        );
        // issue #15.13: raw UTF-8, as curl sends it.
        assert_eq!(
            resolve_request_path("/2023/tags/学/"),
            Some("2023/tags/学/index.html".into())
        );
    }

    #[test]
    fn text_types_are_utf8() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(
            content_type("2023/16/badge.svg"),
            "image/svg+xml; charset=utf-8"
        );
        assert_eq!(
            content_type("2023/updates.xml"),
            "application/atom+xml; charset=utf-8"
        );
    }

    #[test]
    fn live_reload_goes_before_body_end() {
        let out = String::from_utf8(inject_live_reload(b"<html><body>x</body></html>")).unwrap();
        assert!(out.contains("x<script src=\"/__planpub/live.js\"></script>\n</body>"));
    }

    // issue #15.10
    #[test]
    fn only_loopback_hosts_count_as_loopback() {
        for ok in [
            "127.0.0.1:1111",
            "127.0.0.1",
            "localhost:1111",
            "LOCALHOST",
            "localhost.:8080",
            "[::1]:1111",
            "[::1]",
            "127.0.0.2:1111",
        ] {
            assert!(host_is_loopback(ok), "{ok}");
        }
        for bad in [
            "evil.example:1111",
            "evil.example",
            "localhost.evil.example",
            "127.0.0.1.nip.io:1111",
            "[::1].evil:1111",
            "192.168.1.5:1111",
            "[::2]:1111",
            "localhost:80:80",
            "",
        ] {
            assert!(!host_is_loopback(bad), "{bad}");
        }
    }
}
