//! Issue 6: the nginx configuration in deploy/ serves a built site under a
//! path prefix with the right content types and caching headers. Starts
//! Debian's nginx (installed by .ci/run) on a loopback port.

use planpub::diagnostics::Diagnostics;
use planpub::write::OutputDir;
use planpub::{BuildOptions, build_and_write};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// (status, headers lowercased, body) of a GET.
fn get(port: u16, path: &str, gzip: bool) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("nginx answers");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let enc = if gzip {
        "Accept-Encoding: gzip\r\n"
    } else {
        ""
    };
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{enc}\r\n"
    )
    .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let split = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header");
    let head = String::from_utf8_lossy(&buf[..split]).to_lowercase();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    (status, head, buf[split + 4..].to_vec())
}

fn header<'a>(head: &'a str, name: &str) -> &'a str {
    head.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .unwrap_or("")
}

#[test]
fn nginx_serves_the_site_under_a_prefix_with_types_and_caching() {
    let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("nginx is not installed: apt-get install nginx (bash .ci/run does)");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let www = dir.path().join("www");
    let mut diags = Diagnostics::new();
    build_and_write(
        &BuildOptions {
            root: repo.to_path_buf(),
            base_url: Some(format!("http://127.0.0.1:{port}/plan/")),
        },
        &OutputDir::choose(repo, &www.join("plan"), false).expect("a new folder"),
        &mut diags,
    )
    .unwrap_or_else(|_| panic!("{}", diags.render()));

    let snippet = std::fs::read_to_string(repo.join("deploy/nginx-planpub.conf"))
        .unwrap()
        .replace("root /srv/www;", &format!("root {};", www.display()));
    std::fs::write(dir.path().join("planpub.conf"), snippet).unwrap();
    let p = dir.path().display();
    let conf = format!(
        "user root;\nmaster_process off;\npid {p}/nginx.pid;\nerror_log {p}/error.log;\nevents {{}}\nhttp {{\n  access_log off;\n  client_body_temp_path {p}/body;\n  proxy_temp_path {p}/proxy;\n  fastcgi_temp_path {p}/fastcgi;\n  uwsgi_temp_path {p}/uwsgi;\n  scgi_temp_path {p}/scgi;\n  server {{\n    listen 127.0.0.1:{port};\n    include {p}/planpub.conf;\n  }}\n}}\n"
    );
    std::fs::write(dir.path().join("nginx.conf"), conf).unwrap();
    let test = Command::new(nginx)
        .args(["-t", "-p"])
        .arg(dir.path())
        .arg("-c")
        .arg(dir.path().join("nginx.conf"))
        .output()
        .unwrap();
    assert!(
        test.status.success(),
        "nginx -t: {}",
        String::from_utf8_lossy(&test.stderr)
    );
    let _server = Nginx(
        Command::new(nginx)
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(dir.path().join("nginx.conf"))
            .args(["-g", "daemon off;"])
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nginx did not start");
        std::thread::sleep(Duration::from_millis(50));
    }

    let shard = std::fs::read_dir(www.join("plan/search/index/shards"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .file_name()
        .to_string_lossy()
        .into_owned();
    let cases = [
        ("/plan/2023/16/", "text/html; charset=utf-8", "no-cache"),
        ("/plan/en/2023/16/", "text/html; charset=utf-8", "no-cache"),
        (
            "/plan/2023/16/badge.svg",
            "image/svg+xml; charset=utf-8",
            "no-cache",
        ),
        (
            "/plan/2023/updates.xml",
            "application/atom+xml; charset=utf-8",
            "no-cache",
        ),
        (
            "/plan/en/2023/updates.xml",
            "application/atom+xml; charset=utf-8",
            "no-cache",
        ),
        (
            "/plan/sitemap.xml",
            "application/xml; charset=utf-8",
            "no-cache",
        ),
        (
            "/plan/2023/items.json",
            "application/json; charset=utf-8",
            "no-cache",
        ),
        (
            "/plan/2023/items.csv",
            "text/csv; charset=utf-8",
            "no-cache",
        ),
        (
            "/plan/search/index/manifest.json",
            "application/json; charset=utf-8",
            "no-cache",
        ),
        (
            &format!("/plan/search/index/shards/{shard}"),
            "application/json; charset=utf-8",
            "immutable",
        ),
        (
            "/plan/static/style.css",
            "text/css; charset=utf-8",
            "max-age=86400",
        ),
        (
            "/plan/static/search.js",
            "text/javascript; charset=utf-8",
            "max-age=86400",
        ),
    ];
    for (path, ctype, cache) in cases {
        let (status, head, body) = get(port, path, false);
        assert_eq!(status, 200, "{path}: {head}");
        assert_eq!(header(&head, "content-type"), ctype, "{path}");
        assert!(
            header(&head, "cache-control").contains(cache),
            "{path}: cache-control {}",
            header(&head, "cache-control")
        );
        assert!(!body.is_empty(), "{path}");
    }
    let (_, page_head, page) = get(port, "/plan/2023/16/", false);
    let page = String::from_utf8_lossy(&page);
    assert!(
        page.contains("href=\"/plan/static/style.css\""),
        "{page_head}"
    );
    let (_, head, _) = get(port, &format!("/plan/search/index/shards/{shard}"), true);
    let (_, head_css, _) = get(port, "/plan/static/style.css", true);
    assert!(
        header(&head, "content-encoding") == "gzip"
            || header(&head_css, "content-encoding") == "gzip",
        "text is compressed"
    );
    let (status, _, body) = get(port, "/plan/2023/99/", false);
    assert_eq!(status, 404);
    assert!(
        String::from_utf8_lossy(&body).contains("<html"),
        "404.html is served for missing pages"
    );
}
