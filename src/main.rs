//! The `planpub` command line. This is the one place that prints
//! diagnostics and picks the exit code: 0 success, 1 content errors,
//! 2 usage errors.

use clap::{Parser, Subcommand};
use planpub::diagnostics::{Diagnostics, Severity, escape_controls};
use planpub::write::OutputDir;
use planpub::{BuildFailed, BuildOptions, build_and_write, build_site};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// mimalloc instead of glibc malloc: rendering is allocation-heavy (serde
/// JSON contexts, tera output) and glibc malloc/free were a quarter of the
/// CPU profile at 10,000 items.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "planpub",
    version,
    about = "Publish a government work plan as a bilingual, searchable website"
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
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(2),
            };
        }
    };
    let started = Instant::now();
    let mut diags = Diagnostics::new();
    match cli.command {
        Command::Build {
            output,
            base_url,
            force,
        } => {
            let requested = output.unwrap_or_else(|| cli.root.join("public"));
            let dest = match OutputDir::choose(&cli.root, &requested, force) {
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
                root: cli.root.clone(),
                base_url,
            };
            let result = build_and_write(&options, &dest, &mut diags);
            print_diagnostics(&diags);
            match result {
                Ok(files) => {
                    eprintln!(
                        "built {} files into {} in {} ms",
                        files,
                        escape_controls(&requested.display().to_string()),
                        started.elapsed().as_millis()
                    );
                    ExitCode::SUCCESS
                }
                Err(BuildFailed::OutputUnchanged) => {
                    eprintln!(
                        "build failed; {} was left as it was",
                        escape_controls(&requested.display().to_string())
                    );
                    ExitCode::from(1)
                }
                Err(BuildFailed::OutputDisplaced) => {
                    eprintln!("build failed while putting the site in place (see above)");
                    ExitCode::from(1)
                }
            }
        }
        Command::Check { base_url } => {
            let options = BuildOptions {
                root: cli.root.clone(),
                base_url,
            };
            let result = build_site(&options, &mut diags);
            print_diagnostics(&diags);
            let missing = diags
                .iter()
                .filter(|d| d.severity == Severity::Warning && d.message.contains("translation"))
                .count();
            match result {
                Some(out) => {
                    eprintln!(
                        "ok: {} files would be written; {missing} missing translation notice(s)",
                        out.files.len()
                    );
                    ExitCode::SUCCESS
                }
                None => ExitCode::from(1),
            }
        }
        Command::Import { file, plan } => {
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
        Command::Serve { port, bind } => match planpub::serve::serve(&cli.root, &bind, port) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {}", escape_controls(&e.to_string()));
                ExitCode::from(1)
            }
        },
    }
}
