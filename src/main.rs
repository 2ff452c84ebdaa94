//! The `planpub` command line. This is the one place that prints
//! diagnostics and picks the exit code: 0 success, 1 content errors,
//! 2 usage errors.

use clap::{CommandFactory, Parser, Subcommand};
use planpub::diagnostics::{Code, Diagnostics, Severity, escape_controls};
use planpub::write::OutputDir;
use planpub::{BuildFailed, BuildOptions, build_and_write_with, check_site_with};
use std::ffi::OsString;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

mod timings;

/// mimalloc instead of glibc malloc: rendering is allocation-heavy (serde
/// JSON contexts, tera output) and glibc malloc/free were a quarter of the
/// CPU profile at 10,000 items.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The content format (layout, front matter, URLs), printed by
/// `planpub help format`: a user's own site has no docs/ folder.
const CONTENT_FORMAT: &str = include_str!("../docs/content-format.md");

#[derive(Parser)]
#[command(
    name = "planpub",
    // "0.1.0 (3f2c1ab 2026-05-02)": the commit build.rs found, if any.
    version = env!("PLANPUB_VERSION"),
    about = "Publish a government work plan as a bilingual, searchable website",
    after_help = "`planpub help format` prints the content format (layout, front matter, URLs)."
)]
struct Cli {
    /// The site folder (holding site.toml and content/).
    #[arg(long, global = true, default_value = ".")]
    root: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create a new site (site.toml, content/, .gitignore) that builds at once.
    Init {
        /// The folder of the new site (created if missing; default: --root).
        dir: Option<PathBuf>,
        /// The plan's id, its folder under content/ and its URL segment.
        #[arg(long, default_value_t = planpub::init::current_year().to_string())]
        plan: String,
    },
    /// Build the site into the output folder (default: <root>/public).
    Build {
        /// Where to write the site. An existing folder is replaced only if
        /// planpub wrote it or it is empty.
        #[arg(long)]
        output: Option<PathBuf>,
        /// Replace the output folder even if planpub did not write it
        /// (everything in it is deleted).
        #[arg(long)]
        force: bool,
        /// Overrides site.toml's base_url, e.g. https://example.gov.cn/plan/
        #[arg(long)]
        base_url: Option<String>,
    },
    /// Check the content (every error and missing translation) without writing anything.
    Check {
        /// Overrides site.toml's base_url.
        #[arg(long)]
        base_url: Option<String>,
        /// Treat warnings as errors: any warning makes the check fail (exit 1).
        #[arg(long)]
        strict: bool,
        /// How to print the problems: `human` (path:line:col: error: …) on
        /// stderr, or `json`, one JSON object per problem per line on stdout.
        #[arg(long, value_enum, default_value_t = DiagnosticsFormat::Human)]
        format: DiagnosticsFormat,
    },
    /// Build, serve on the local machine, rebuild on change and reload the browser.
    Serve {
        /// Port to listen on.
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Address to bind; 127.0.0.1 unless told otherwise.
        #[arg(long, default_value = "127.0.0.1")]
        bind: String,
    },
    /// Import a plan document (.docx, .txt or .md) as a new plan, content/<ID>/.
    Import {
        /// The plan document: Word .docx, or text in UTF-8, UTF-16 or GB18030.
        file: PathBuf,
        /// The new plan's id, its folder and URL segment (e.g. 2024).
        #[arg(long)]
        plan: String,
    },
    /// Renumber a plan's items keeping every old link: `--insert N` opens a gap at N, `OLD NEW` moves one item.
    Renumber {
        /// The plan's id (its folder under content/).
        #[arg(long)]
        plan: String,
        /// Open a gap at N: the items numbered N and above move up by one.
        #[arg(long, value_name = "N", conflicts_with_all = ["old", "new"])]
        insert: Option<u32>,
        /// The item's number now.
        #[arg(required_unless_present = "insert")]
        old: Option<u32>,
        /// Its new number, one no item has (nor had).
        #[arg(required_unless_present = "insert")]
        new: Option<u32>,
        /// Print every change and write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Send a plan's texts to translators and take their work back (.xlsx or XLIFF .xlf).
    Translate {
        #[command(subcommand)]
        command: TranslateCommand,
    },
    /// A progress round as a spreadsheet for the lead units, and back as content/<plan>/progress/<date>.toml.
    Progress {
        #[command(subcommand)]
        command: ProgressCommand,
    },
    /// Print the content format: layout, front matter fields, URLs (also `planpub help format`).
    Format,
    /// Print a shell completion script, e.g. `planpub completions bash > /etc/bash_completion.d/planpub`.
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), or write one page per command into a folder.
    Man {
        /// Write planpub.1 and planpub-<command>.1 here instead of printing planpub.1.
        #[arg(long)]
        output_dir: Option<PathBuf>,
    },
}

/// How `planpub check` prints diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum DiagnosticsFormat {
    /// `path:line:col: error: message` and `= help:` lines, on stderr.
    Human,
    /// One JSON object per line on stdout: file, line, column, severity,
    /// code, message, hint (for CI annotations).
    Json,
}

#[derive(Subcommand)]
enum TranslateCommand {
    /// Write a plan's text units (source, current translation, state) to FILE.xlsx or FILE.xlf.
    Export {
        /// The plan whose texts to export (its folder under content/, e.g. 2023).
        #[arg(long)]
        plan: String,
        /// The language to translate into (a language of site.toml, e.g. en).
        #[arg(long)]
        lang: String,
        /// The file to write: .xlsx (a spreadsheet) or .xlf (XLIFF 2.0).
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Write the translations of a filled-in FILE.xlsx or FILE.xlf into the X.<lang>.md files, all or nothing.
    Import {
        /// The exported file, filled in by the translators.
        file: PathBuf,
    },
    /// Print the `source_hash` a translation of FILE records (FILE: X.md or X.<lang>.md).
    Hash {
        /// A plan, section or item file, or one of its translations.
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum ProgressCommand {
    /// Write the sheet of a round (one row per item) to FILE.xlsx or FILE.csv.
    Sheet {
        /// The plan (its folder under content/, e.g. 2023).
        #[arg(long)]
        plan: String,
        /// The round's date, YYYY-MM-DD, in the plan's period.
        #[arg(long)]
        date: String,
        /// The file to write: .xlsx (a protected workbook) or .csv (UTF-8).
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Write the round of a filled-in FILE.xlsx or FILE.csv to content/<plan>/progress/<date>.toml, all or nothing.
    Import {
        /// The sheet, filled in (CSV in UTF-8 or GB18030).
        file: PathBuf,
        /// The plan; by default the one the sheet names.
        #[arg(long)]
        plan: Option<String>,
        /// Replace the round file of that date if there is one.
        #[arg(long)]
        replace: bool,
    },
}

/// `planpub progress …`: prints what it did, or every problem.
fn progress(root: &Path, command: ProgressCommand) -> ExitCode {
    use planpub::progress_sheet;
    let mut diags = Diagnostics::new();
    let result = match command {
        ProgressCommand::Sheet { plan, date, output } => {
            progress_sheet::sheet(root, &plan, &date, &output, &mut diags).map(|r| r.to_string())
        }
        ProgressCommand::Import {
            file,
            plan,
            replace,
        } => progress_sheet::import(root, &file, plan.as_deref(), replace, &mut diags)
            .map(|r| r.to_string()),
    };
    print_diagnostics(&diags);
    report(result)
}

/// Prints a tool's report, or its problems and that nothing was written.
fn report(result: Result<String, planpub::sheet::Failure>) -> ExitCode {
    match result {
        Ok(report) => {
            print!("{report}");
            ExitCode::SUCCESS
        }
        Err(failure) => {
            for p in &failure.problems {
                eprintln!("{p}");
            }
            let n = failure.problems.len();
            eprintln!(
                "{n} problem{}; nothing was written",
                if n == 1 { "" } else { "s" }
            );
            ExitCode::from(failure.exit_code)
        }
    }
}

/// `planpub translate …`: prints what it did, or every problem.
fn translate(root: &Path, command: TranslateCommand) -> ExitCode {
    use planpub::translate;
    let mut diags = Diagnostics::new();
    let result = match command {
        TranslateCommand::Export { plan, lang, output } => {
            translate::export(root, &plan, &lang, &output, &mut diags).map(|r| r.to_string())
        }
        TranslateCommand::Import { file } => {
            translate::import(root, &file, &mut diags).map(|r| r.to_string())
        }
        TranslateCommand::Hash { file } => {
            translate::hash(root, &file, &mut diags).map(|h| format!("{h}\n"))
        }
    };
    print_diagnostics(&diags);
    report(result)
}

/// The arguments, with `planpub help format` read as `planpub format`: clap's
/// own `help` would print the usage of `format` instead of the document.
fn arguments() -> Vec<OsString> {
    let mut args: Vec<OsString> = std::env::args_os().collect();
    // The first word that is neither an option nor --root's value.
    let mut i = 1;
    while i < args.len() && args[i].to_string_lossy().starts_with('-') {
        i += if args[i] == "--root" { 2 } else { 1 };
    }
    if args.get(i).is_some_and(|a| a == "help") && args.get(i + 1).is_some_and(|a| a == "format") {
        args.remove(i);
    }
    args
}

/// Writes the manual pages into `dir`: planpub.1 and one page a command.
fn write_man_pages(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut command = Cli::command();
    // Copies the global --root into each command, so its page lists it.
    command.build();
    let mut written = Vec::new();
    let mut page = |name: String, cmd: clap::Command| -> std::io::Result<()> {
        let path = dir.join(format!("{name}.1"));
        let mut bytes = Vec::new();
        clap_mangen::Man::new(cmd).render(&mut bytes)?;
        std::fs::write(&path, bytes)?;
        written.push(path);
        Ok(())
    };
    for sub in command.get_subcommands() {
        let sub = sub
            .clone()
            .display_name(format!("planpub-{}", sub.get_name()))
            .bin_name(format!("planpub {}", sub.get_name()))
            .version(env!("PLANPUB_VERSION"));
        page(format!("planpub-{}", sub.get_name()), sub)?;
    }
    page("planpub".into(), command)?;
    Ok(written)
}

fn print_diagnostics(diags: &Diagnostics) {
    for d in diags.sorted() {
        eprintln!("{d}");
    }
    let (e, w) = (diags.error_count(), diags.warning_count());
    if e > 0 || w > 0 {
        eprintln!(
            "{e} error{}, {w} warning{}",
            if e == 1 { "" } else { "s" },
            if w == 1 { "" } else { "s" }
        );
    }
}

fn main() -> ExitCode {
    // No transparent huge pages: mimalloc asks for them, and after the
    // disk was busy (a build, a copy) the kernel compacts memory to find
    // 2 MB pages, stalling allocation. Measured on the 10,000-item
    // corpus, `serve` launch to the first item page after copying a plan:
    // 1.07-1.20 s with them, 0.67-0.73 s without (issue #21.3); `check`
    // peaks at 0.83 GB instead of 1.07 GB. Huge pages are an optimisation
    // only: a kernel that refuses the request changes nothing else.
    #[cfg(target_os = "linux")]
    let _ = rustix::thread::disable_transparent_huge_pages(true);
    let cli = match Cli::try_parse_from(arguments()) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            // Help and version are asked for; anything else is misuse.
            let asked = matches!(
                e.kind(),
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion
            );
            return if asked {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(2)
            };
        }
    };
    // For the life of the process (serve's threads keep it).
    let hooks: &'static timings::BinaryHooks =
        Box::leak(Box::new(timings::BinaryHooks::from_env()));
    match cli.command {
        Command::Init { dir, plan } => init(dir.unwrap_or_else(|| cli.root.clone()), &plan),
        Command::Format => {
            print!("{CONTENT_FORMAT}");
            ExitCode::SUCCESS
        }
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "planpub",
                &mut std::io::stdout(),
            );
            ExitCode::SUCCESS
        }
        Command::Man { output_dir } => man(output_dir),
        Command::Build {
            output,
            base_url,
            force,
        } => build(&cli.root, output, base_url, force, hooks),
        Command::Check {
            base_url,
            strict,
            format,
        } => check(&cli.root, base_url, strict, format, hooks),
        Command::Import { file, plan } => {
            let mut diags = Diagnostics::new();
            let result = planpub::import::import_plan(&cli.root, &file, &plan, &mut diags);
            print_diagnostics(&diags);
            match result {
                Ok(report) => {
                    print!("{report}");
                    ExitCode::SUCCESS
                }
                Err(failure) => {
                    eprintln!("nothing was imported");
                    ExitCode::from(failure.exit_code())
                }
            }
        }
        Command::Renumber {
            plan,
            insert,
            old,
            new,
            dry_run,
        } => renumber(&cli.root, &plan, insert, old.zip(new), dry_run),
        Command::Translate { command } => translate(&cli.root, command),
        Command::Progress { command } => progress(&cli.root, command),
        Command::Serve { port, bind } => match planpub::serve::serve(&cli.root, &bind, port, hooks)
        {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {}", escape_controls(&e.to_string()));
                ExitCode::from(1)
            }
        },
    }
}

/// `planpub renumber`: prints every change (and, with `--dry-run`,
/// only that).
fn renumber(
    root: &Path,
    plan: &str,
    insert: Option<u32>,
    old_new: Option<(u32, u32)>,
    dry_run: bool,
) -> ExitCode {
    use planpub::renumber::Renumbering;
    let op = match (insert, old_new) {
        (Some(n), _) => Renumbering::Insert(n),
        (None, Some((old, new))) => Renumbering::Move { old, new },
        (None, None) => {
            eprintln!("error: give --insert N, or the item's number and its new one");
            return ExitCode::from(2);
        }
    };
    let mut diags = Diagnostics::new();
    let result = planpub::renumber::renumber(root, plan, op, dry_run, &mut diags);
    print_diagnostics(&diags);
    let Some(changes) = result else {
        eprintln!("nothing was changed");
        return ExitCode::from(1);
    };
    let verb = if dry_run { "would change" } else { "changed" };
    for c in &changes {
        match &c.new_path {
            Some(to) => println!("{} → {}", c.path.display(), to.display()),
            None => println!("{}", c.path.display()),
        }
        for note in &c.notes {
            println!("  {note}");
        }
    }
    println!(
        "{verb} {} file(s){}",
        changes.len(),
        if dry_run {
            "; nothing was written (--dry-run)"
        } else {
            ""
        }
    );
    ExitCode::SUCCESS
}

/// `planpub init`.
fn init(dir: PathBuf, plan: &str) -> ExitCode {
    match planpub::init::init_site(&dir, plan) {
        Ok(files) => {
            println!("created a new site in {}:", dir.display());
            for f in &files {
                println!("  {f}");
            }
            let cd = if dir == Path::new(".") {
                String::new()
            } else {
                format!("  cd {}\n", dir.display())
            };
            println!(
                "\nnext steps:\n{cd}  planpub serve          preview at http://127.0.0.1:1111/ while you edit\n  \
                 edit site.toml (base_url, titles) and the files under content/{plan}/\n  \
                 planpub help format    the content format: every field, the URLs\n  \
                 planpub check          report every problem\n  \
                 planpub build          write the site into public/ for your web server"
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            if matches!(e, planpub::init::InitError::SiteExists(_)) {
                eprintln!("  = help: choose a new folder: planpub init <folder>");
            }
            ExitCode::from(1)
        }
    }
}

/// `planpub man`.
fn man(output_dir: Option<PathBuf>) -> ExitCode {
    let result = match output_dir {
        Some(dir) => write_man_pages(&dir).map(|pages| {
            for p in pages {
                eprintln!("wrote {}", p.display());
            }
        }),
        None => {
            let mut bytes = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut bytes)
                .and_then(|()| std::io::stdout().write_all(&bytes))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

/// `planpub build`.
fn build(
    root: &Path,
    output: Option<PathBuf>,
    base_url: Option<String>,
    force: bool,
    hooks: &timings::BinaryHooks,
) -> ExitCode {
    let started = Instant::now();
    let requested = output.unwrap_or_else(|| root.join("public"));
    let dest = match OutputDir::choose(root, &requested, force) {
        Ok(dest) => dest,
        Err(refused) => {
            eprintln!(
                "error: {}\n  = help: {}",
                escape_controls(&refused.message),
                escape_controls(&refused.hint)
            );
            return ExitCode::from(2);
        }
    };
    let options = BuildOptions {
        root: root.to_path_buf(),
        base_url,
    };
    let mut diags = Diagnostics::new();
    let result = build_and_write_with(&options, &dest, &mut diags, hooks);
    print_diagnostics(&diags);
    let shown = escape_controls(&requested.display().to_string()).into_owned();
    match result {
        Ok(files) => {
            eprintln!(
                "built {files} files into {shown} in {} ms",
                started.elapsed().as_millis()
            );
            ExitCode::SUCCESS
        }
        Err(BuildFailed::OutputUnchanged) => {
            eprintln!("build failed; {shown} was left as it was");
            ExitCode::from(1)
        }
        Err(BuildFailed::OutputDisplaced) => {
            eprintln!("build failed while putting the site in place (see above)");
            ExitCode::from(1)
        }
    }
}

/// `planpub check`. With `strict`, every warning is printed and counted
/// as an error.
fn check(
    root: &Path,
    base_url: Option<String>,
    strict: bool,
    format: DiagnosticsFormat,
    hooks: &timings::BinaryHooks,
) -> ExitCode {
    let options = BuildOptions {
        root: root.to_path_buf(),
        base_url,
    };
    let mut diags = Diagnostics::new();
    let result = check_site_with(&options, &mut diags, hooks);
    let missing = diags.count(Code::MissingTranslation);
    let stale = diags.count(Code::StaleTranslation);
    let warnings = diags.warning_count();
    if strict {
        diags = diags.warnings_as_errors();
    }
    match format {
        DiagnosticsFormat::Human => print_diagnostics(&diags),
        DiagnosticsFormat::Json => print_diagnostics_json(&diags),
    }
    match result {
        Some(_) if strict && warnings > 0 => {
            eprintln!("check failed: --strict counts warnings as errors");
            ExitCode::from(1)
        }
        Some((out, coverage)) => {
            eprintln!(
                "ok: {} files would be written; {missing} missing translation notice(s), {stale} stale translation notice(s)",
                out.files.len()
            );
            // issue #18.3: translated, missing, stale per language.
            eprint!("{coverage}");
            ExitCode::SUCCESS
        }
        None => ExitCode::from(1),
    }
}

/// One JSON object per diagnostic, one per line, on stdout: what CI
/// annotations are made from. Keys: file, line, column, severity, code
/// (a [`Code`]'s stable name), message, hint (null if none).
fn print_diagnostics_json(diags: &Diagnostics) {
    let mut out = std::io::stdout().lock();
    for d in diags.sorted() {
        let severity = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let object = serde_json::json!({
            "file": d.path.to_string_lossy(),
            "line": d.line,
            "column": d.column,
            "severity": severity,
            "code": d.code.name(),
            "message": d.message,
            "hint": d.hint,
        });
        let _ = writeln!(out, "{object}");
    }
}
