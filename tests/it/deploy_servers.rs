//! The web server configurations in deploy/ serve a built site under a path
//! prefix with the same content types, UTF-8, caching and 404 rules.
//!
//! deploy/nginx-planpub.conf is the reference (issue 6): its `types` block
//! and `charset_types` give the types every server must send. nginx and
//! Apache (the .htaccess, issue #17) are started on a loopback port and
//! asked for every kind of file; IIS cannot run here, so its web.config is
//! read with an XML parser and checked rule by rule. scripts/test installs
//! Debian's nginx and apache2.

use planpub::diagnostics::Diagnostics;
use planpub::write::OutputDir;
use planpub::{BuildOptions, build_and_write};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A server process, stopped when the test ends.
pub(crate) struct Server(pub(crate) Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) fn wait_until_listening(port: u16, name: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "{name} did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// (status, headers lowercased, body) of a GET.
pub(crate) fn get(port: u16, path: &str, gzip: bool) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("the server answers");
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

pub(crate) fn header<'a>(head: &'a str, name: &str) -> &'a str {
    head.lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .unwrap_or("")
        .trim()
}

// ---------------------------------------------------------------------------
// The rules, read from the nginx configuration
// ---------------------------------------------------------------------------

/// The nginx configuration's words, comments removed.
fn nginx_conf() -> String {
    std::fs::read_to_string(repo().join("deploy/nginx-planpub.conf"))
        .unwrap()
        .lines()
        .map(|l| l.split('#').next().unwrap())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Extension → the Content-Type every server must send for it: nginx's
/// first `types` block, with `; charset=utf-8` for the types nginx's
/// `charset` applies to (text/html and `charset_types`).
fn expected_types() -> BTreeMap<String, String> {
    let conf = nginx_conf();
    let start = conf.find("types {").expect("a types block") + "types {".len();
    let block = &conf[start..start + conf[start..].find('}').unwrap()];
    let charset_types: Vec<&str> = conf
        .lines()
        .find_map(|l| l.trim().strip_prefix("charset_types "))
        .expect("charset_types")
        .trim_end_matches(';')
        .split_whitespace()
        .chain(["text/html"])
        .collect();
    let mut types = BTreeMap::new();
    for entry in block.split(';') {
        let mut words = entry.split_whitespace();
        let Some(mime) = words.next() else { continue };
        let full = if charset_types.contains(&mime) {
            format!("{mime}; charset=utf-8")
        } else {
            mime.to_string()
        };
        for ext in words {
            types.insert(ext.to_string(), full.clone());
        }
    }
    assert!(types.len() >= 12, "types read from nginx: {types:?}");
    types
}

/// How long a response may be cached, as Cache-Control says it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Caching {
    Revalidate,
    Day,
    YearImmutable,
}

impl Caching {
    fn holds(self, cache_control: &str) -> bool {
        let has = |d: &str| cache_control.split(',').any(|p| p.trim() == d);
        match self {
            Caching::Revalidate => has("no-cache"),
            Caching::Day => has("max-age=86400") && !has("no-cache"),
            Caching::YearImmutable => has("max-age=31536000") && has("immutable"),
        }
    }
}

/// The responses a server must give for the built site under /plan/:
/// (path, Content-Type, caching). One request for every kind of file, and
/// one for every extension of the types block (files the test adds).
fn expected_responses(www: &Path) -> Vec<(String, String, Caching)> {
    let shard = std::fs::read_dir(www.join("plan/search/index/shards"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .file_name()
        .to_string_lossy()
        .into_owned();
    let types = expected_types();
    let t = |ext: &str| types[ext].clone();
    let mut cases = vec![
        ("/plan/2023/16/".to_string(), t("html"), Caching::Revalidate),
        ("/plan/en/2023/16/".into(), t("html"), Caching::Revalidate),
        (
            "/plan/2023/16/badge.svg".into(),
            t("svg"),
            Caching::Revalidate,
        ),
        (
            "/plan/2023/updates.xml".into(),
            "application/atom+xml; charset=utf-8".into(),
            Caching::Revalidate,
        ),
        (
            "/plan/en/2023/updates.xml".into(),
            "application/atom+xml; charset=utf-8".into(),
            Caching::Revalidate,
        ),
        ("/plan/sitemap.xml".into(), t("xml"), Caching::Revalidate),
        ("/plan/robots.txt".into(), t("txt"), Caching::Revalidate),
        (
            "/plan/2023/items.json".into(),
            t("json"),
            Caching::Revalidate,
        ),
        ("/plan/2023/items.csv".into(), t("csv"), Caching::Revalidate),
        (
            "/plan/search/index/manifest.json".into(),
            t("json"),
            Caching::Revalidate,
        ),
        (
            format!("/plan/search/index/shards/{shard}"),
            t("json"),
            Caching::YearImmutable,
        ),
        ("/plan/static/style.css".into(), t("css"), Caching::Day),
        ("/plan/static/search.js".into(), t("js"), Caching::Day),
    ];
    // A file of every other type, as a webmaster's content may link.
    for (ext, mime) in &types {
        let name = format!("2023/sample.{ext}");
        std::fs::write(www.join("plan").join(&name), b"sample").unwrap();
        cases.push((format!("/plan/{name}"), mime.clone(), Caching::Revalidate));
    }
    cases
}

/// Builds the 2023 plan (the frozen fixture) for
/// http://127.0.0.1:<port>/plan/ into <dir>/www/plan and returns <dir>/www.
fn build_site_under_plan(dir: &Path, port: u16) -> PathBuf {
    let www = dir.join("www");
    let site = crate::common::TestSite::plan2023();
    let mut diags = Diagnostics::new();
    build_and_write(
        &BuildOptions {
            root: site.root().to_path_buf(),
            base_url: Some(format!("http://127.0.0.1:{port}/plan/")),
        },
        &OutputDir::choose(site.root(), &www.join("plan"), false).expect("a new folder"),
        &mut diags,
    )
    .unwrap_or_else(|_| panic!("{}", diags.render()));
    www
}

/// Asks the server on `port` for every expected response and checks type,
/// caching, nosniff, compression and the 404 page.
fn check_served_site(name: &str, port: u16, www: &Path) {
    let mut problems = Vec::new();
    for (path, ctype, caching) in expected_responses(www) {
        let (status, head, body) = get(port, &path, false);
        if status != 200 || body.is_empty() {
            problems.push(format!("{path}: status {status}, {} bytes", body.len()));
            continue;
        }
        if header(&head, "content-type") != ctype {
            problems.push(format!(
                "{path}: content-type {:?}, expected {ctype:?}",
                header(&head, "content-type")
            ));
        }
        if !caching.holds(header(&head, "cache-control")) {
            problems.push(format!(
                "{path}: cache-control {:?}, expected {caching:?}",
                header(&head, "cache-control")
            ));
        }
        if header(&head, "x-content-type-options") != "nosniff" {
            problems.push(format!("{path}: no X-Content-Type-Options: nosniff"));
        }
    }
    let (_, _, page) = get(port, "/plan/2023/16/", false);
    if !String::from_utf8_lossy(&page).contains("href=\"/plan/static/style.css\"") {
        problems.push("the item page does not link /plan/static/style.css".into());
    }
    for path in ["/plan/static/style.css", "/plan/2023/items.json"] {
        let (_, head, _) = get(port, path, true);
        if header(&head, "content-encoding") != "gzip" {
            problems.push(format!(
                "{path} is not compressed for a client that accepts gzip"
            ));
        }
    }
    let (status, _, body) = get(port, "/plan/2023/99/", false);
    if status != 404 || !String::from_utf8_lossy(&body).contains("<html") {
        problems.push(format!(
            "a missing page gives status {status} without the site's 404.html"
        ));
    }
    assert!(problems.is_empty(), "{name}:\n{}", problems.join("\n"));
}

// ---------------------------------------------------------------------------
// nginx
// ---------------------------------------------------------------------------

#[test]
fn nginx_serves_the_site_under_a_prefix_with_types_and_caching() {
    let nginx = ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("nginx is not installed: apt-get install nginx (scripts/test does)");
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let www = build_site_under_plan(dir.path(), port);

    let snippet = std::fs::read_to_string(repo().join("deploy/nginx-planpub.conf"))
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
    let _server = Server(
        Command::new(nginx)
            .arg("-p")
            .arg(dir.path())
            .arg("-c")
            .arg(dir.path().join("nginx.conf"))
            .args(["-g", "daemon off;"])
            .spawn()
            .unwrap(),
    );
    wait_until_listening(port, "nginx");
    check_served_site("nginx", port, &www);
}

// ---------------------------------------------------------------------------
// Apache httpd, with the .htaccess
// ---------------------------------------------------------------------------

/// Issue #17: Apache with deploy/apache-planpub.htaccess as the site
/// folder's .htaccess gives the same responses as nginx.
#[test]
fn apache_with_the_htaccess_serves_the_site_like_nginx() {
    let apache = Path::new("/usr/sbin/apache2");
    assert!(
        apache.exists(),
        "Apache is not installed: apt-get install apache2 (scripts/test does)"
    );
    let modules = Path::new("/usr/lib/apache2/modules");
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let www = build_site_under_plan(dir.path(), port);
    std::fs::copy(
        repo().join("deploy/apache-planpub.htaccess"),
        www.join("plan/.htaccess"),
    )
    .unwrap();
    // As root, Apache serves as another user, who must be able to read.
    let root = rustix::process::geteuid().is_root();
    if root {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let p = dir.path().display();
    let load = |name: &str, file: &str| {
        format!(
            "LoadModule {name}_module {}/mod_{file}.so\n",
            modules.display()
        )
    };
    let mut conf = String::new();
    for (name, file) in [
        ("mpm_event", "mpm_event"),
        ("authz_core", "authz_core"),
        ("mime", "mime"),
        ("dir", "dir"),
        ("headers", "headers"),
        ("filter", "filter"),
        ("deflate", "deflate"),
    ] {
        conf.push_str(&load(name, file));
    }
    if root {
        conf.push_str("User www-data\nGroup www-data\n");
    }
    conf.push_str(&format!(
        "ServerName 127.0.0.1\nListen 127.0.0.1:{port}\nServerRoot {p}\nDefaultRuntimeDir {p}\nPidFile {p}/httpd.pid\nErrorLog {p}/error.log\nLogLevel warn\nTypesConfig /dev/null\nDocumentRoot {www}\n<Directory />\n  AllowOverride None\n  Require all denied\n</Directory>\n<Directory {www}>\n  AllowOverride All\n  Require all granted\n</Directory>\n",
        www = www.display()
    ));
    std::fs::write(dir.path().join("httpd.conf"), conf).unwrap();
    let conf_path = dir.path().join("httpd.conf");
    let test = Command::new(apache)
        .arg("-t")
        .arg("-f")
        .arg(&conf_path)
        .output()
        .unwrap();
    assert!(
        test.status.success(),
        "apache2 -t: {}",
        String::from_utf8_lossy(&test.stderr)
    );
    let _server = Server(
        Command::new(apache)
            .arg("-X")
            .arg("-f")
            .arg(&conf_path)
            .spawn()
            .unwrap(),
    );
    wait_until_listening(port, "apache2");
    let result = std::panic::catch_unwind(|| check_served_site("apache", port, &www));
    if let Err(e) = result {
        // The .htaccess errors are in Apache's log, not in the responses.
        let log = std::fs::read_to_string(dir.path().join("error.log")).unwrap_or_default();
        eprintln!("apache error.log:\n{log}");
        std::panic::resume_unwind(e);
    }
}

// ---------------------------------------------------------------------------
// IIS: web.config, read with an XML parser
// ---------------------------------------------------------------------------

/// An element of the parsed web.config.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attrs: BTreeMap<String, String>,
    children: Vec<Element>,
}

impl Element {
    fn attr(&self, name: &str) -> &str {
        self.attrs.get(name).map_or("", String::as_str)
    }

    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The element at a `/`-separated path of child names.
    fn at(&self, path: &str) -> Option<&Element> {
        path.split('/').try_fold(self, |e, name| e.child(name))
    }
}

/// Parses XML with quick-xml into elements; panics on malformed XML, as IIS
/// would refuse the file.
#[expect(
    clippy::wildcard_enum_match_arm,
    reason = "another crate's enum: the rest is not what this test reads"
)]
fn parse_xml(text: &str) -> Element {
    use quick_xml::events::{BytesStart, Event};
    let element = |e: &BytesStart| Element {
        name: AsRef::<str>::as_ref(&e.name()).to_string(),
        attrs: e
            .attributes()
            .map(|a| {
                let a = a.expect("a well-formed attribute");
                (
                    AsRef::<str>::as_ref(&a.key).to_string(),
                    a.normalized_value(quick_xml::XmlVersion::Explicit1_0)
                        .unwrap()
                        .into_owned(),
                )
            })
            .collect(),
        children: Vec::new(),
    };
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack = vec![Element::default()];
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => stack.push(element(&e)),
            Event::Empty(e) => {
                let el = element(&e);
                stack.last_mut().unwrap().children.push(el);
            }
            Event::End(_) => {
                let el = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(el);
            }
            Event::Comment(c) => {
                // The XML specification forbids "--" inside a comment.
                let c: &str = &c;
                assert!(!c.contains("--"), "a comment holds \"--\": {c}");
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "unclosed elements");
    let mut document = stack.pop().unwrap();
    assert_eq!(document.children.len(), 1, "one root element");
    document.children.pop().unwrap()
}

/// The clientCache rule a `staticContent` element sets, as the Cache-Control
/// IIS then sends.
fn iis_caching(static_content: &Element) -> Option<Caching> {
    let cache = static_content.child("clientCache")?;
    match cache.attr("cacheControlMode") {
        "DisableCache" => Some(Caching::Revalidate),
        "UseMaxAge" => {
            let custom = cache.attr("cacheControlCustom");
            match (
                cache.attr("cacheControlMaxAge"),
                custom.contains("immutable"),
            ) {
                ("1.00:00:00", false) => Some(Caching::Day),
                ("365.00:00:00", true) => Some(Caching::YearImmutable),
                (age, _) => panic!("unexpected max age {age} ({custom})"),
            }
        }
        mode => panic!("unexpected cacheControlMode {mode}"),
    }
}

/// IIS's nosniff header, index document, 404 page (which the site has)
/// and compression.
fn check_iis_headers_index_and_errors(server: &Element, www: &Path) {
    let nosniff = server.at("httpProtocol/customHeaders").map(|h| {
        h.children.iter().any(|a| {
            a.name == "add"
                && a.attr("name") == "X-Content-Type-Options"
                && a.attr("value") == "nosniff"
        })
    });
    assert_eq!(nosniff, Some(true), "X-Content-Type-Options: nosniff");
    let index = server.at("defaultDocument/files").expect("defaultDocument");
    assert_eq!(
        index.children.first().map(|c| c.name.as_str()),
        Some("clear")
    );
    assert!(
        index
            .children
            .iter()
            .any(|c| c.name == "add" && c.attr("value") == "index.html")
    );

    let errors = server.child("httpErrors").expect("httpErrors");
    assert_eq!(errors.attr("errorMode"), "Custom");
    let not_found = errors
        .children
        .iter()
        .find(|e| e.name == "error" && e.attr("statusCode") == "404")
        .expect("a 404 error page");
    assert_eq!(not_found.attr("responseMode"), "ExecuteURL");
    let page = not_found
        .attr("path")
        .strip_prefix("/plan/")
        .expect("under /plan/");
    assert!(
        www.join("plan").join(page).is_file(),
        "404 page {page} is in the site"
    );
    assert_eq!(
        server
            .child("urlCompression")
            .map(|c| c.attr("doStaticCompression")),
        Some("true")
    );
}

/// Issue #17: IIS's web.config holds the nginx rules: every type with its
/// charset (removing IIS's own mapping first), revalidation by default, a
/// day for /static/, a year for search shards but not their manifest,
/// Atom for the feeds, nosniff, index.html, and /plan/404.html for 404.
#[test]
fn iis_web_config_holds_the_nginx_rules() {
    let text = std::fs::read_to_string(repo().join("deploy/iis-web.config")).unwrap();
    assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    // httpCompression is set at server level only: the comment gives the
    // one line that makes IIS compress the search index's JSON.
    assert!(
        text.contains(
            "/+\"staticTypes.[mimeType='application/json',enabled='true']\" /commit:apphost"
        ),
        "web.config does not say how to compress application/json"
    );
    let config = parse_xml(&text);
    assert_eq!(config.name, "configuration");
    let server = config.child("system.webServer").expect("system.webServer");
    let static_content = server.child("staticContent").expect("staticContent");

    // Types: exactly nginx's, each mapping preceded by removing IIS's own.
    let mut mapped = BTreeMap::new();
    let mut removed = Vec::new();
    for e in &static_content.children {
        match e.name.as_str() {
            "remove" => removed.push(e.attr("fileExtension").to_string()),
            "mimeMap" => {
                let ext = e.attr("fileExtension");
                assert!(
                    removed.iter().any(|r| r == ext),
                    "{ext} mapped without <remove> first (IIS refuses a duplicate)"
                );
                mapped.insert(
                    ext.trim_start_matches('.').to_string(),
                    e.attr("mimeType").to_string(),
                );
            }
            _ => {}
        }
    }
    assert_eq!(
        mapped,
        expected_types(),
        "web.config's types differ from nginx's"
    );
    assert_eq!(iis_caching(static_content), Some(Caching::Revalidate));

    // Caching and types by location.
    let locations: BTreeMap<&str, &Element> = config
        .children
        .iter()
        .filter(|e| e.name == "location")
        .map(|e| (e.attr("path"), e))
        .collect();
    let location_static = |path: &str| {
        locations
            .get(path)
            .and_then(|l| l.at("system.webServer/staticContent"))
            .unwrap_or_else(|| panic!("no <location path=\"{path}\"> with staticContent"))
    };
    for (path, caching) in [
        ("static", Caching::Day),
        ("search/index", Caching::YearImmutable),
        ("search/index/manifest.json", Caching::Revalidate),
        ("en/search/index", Caching::YearImmutable),
        ("en/search/index/manifest.json", Caching::Revalidate),
    ] {
        assert_eq!(iis_caching(location_static(path)), Some(caching), "{path}");
    }
    for feed in ["2023/updates.xml", "en/2023/updates.xml"] {
        let map = location_static(feed).child("mimeMap").expect("a mimeMap");
        assert_eq!(
            (map.attr("fileExtension"), map.attr("mimeType")),
            (".xml", "application/atom+xml; charset=utf-8"),
            "{feed}"
        );
    }
    // Those locations are the site's own folders and files.
    let dir = tempfile::tempdir().unwrap();
    let www = build_site_under_plan(dir.path(), 80);
    for path in locations.keys() {
        assert!(
            www.join("plan").join(path).exists(),
            "<location path=\"{path}\"> names nothing in the built site"
        );
    }

    check_iis_headers_index_and_errors(server, &www);
}
