//! The `podgraph` command line: parses arguments, calls the library,
//! prints. Exit codes: 0 success, 1 some input files failed (outputs were
//! written for the rest) or `--strict` found warnings, 2 usage or
//! configuration error, 3 internal error (a bug; please report it).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use podgraph::corpus::{self, NoProgress, Progress};
use podgraph::diagnostics::Diagnostics;
use podgraph::pipeline::{self, BuildOptions, Inputs};
use podgraph::transcript::Format;
use podgraph::{Error, review};

const EXIT_CODES: &str = "\
Exit status:
  0  success
  1  some input files failed (outputs were written for the others), or --strict found warnings
  2  usage or configuration error (bad option, unreadable input, invalid dictionary)
  3  internal error: a bug in podgraph; please report it";

/// Turn podcast transcripts into a knowledge graph of episodes, speakers and concepts.
#[derive(Parser, Debug)]
#[command(name = "podgraph", version, about, after_help = EXIT_CODES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Build the knowledge graph and write graph.json and graph.dot.
    #[command(after_help = EXIT_CODES)]
    Build(BuildArgs),
    /// Show who speaks behind each label, per episode, with the evidence used.
    #[command(after_help = EXIT_CODES)]
    Speakers(SpeakersArgs),
}

#[derive(Args, Debug)]
struct InputArgs {
    /// Transcript files or folders (searched recursively for .md files).
    /// People profiles found among them (front matter with first_name and
    /// last_name) form the people directory.
    #[arg(required = true, value_name = "PATHS")]
    paths: Vec<PathBuf>,
    /// Extra people profiles (files or folders), used to name speakers.
    #[arg(long, value_name = "PATH")]
    people: Vec<PathBuf>,
    /// Read every input in this format instead of detecting it.
    #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
    input_format: Option<Format>,
    /// Treat warnings as failures (exit status 1), for CI.
    #[arg(long)]
    strict: bool,
    /// Print no progress bar and no summary, only problems.
    #[arg(short, long)]
    quiet: bool,
    /// Worker threads (default: one per core).
    #[arg(short = 'j', long, value_name = "N")]
    threads: Option<usize>,
}

#[derive(Args, Debug)]
struct DictArgs {
    /// Extra dictionary file (YAML, see dictionaries/README.md); repeatable.
    #[arg(long = "dict", value_name = "FILE")]
    dicts: Vec<PathBuf>,
    /// Use only the --dict files, not the shipped dictionaries.
    #[arg(long)]
    no_default_dict: bool,
}

#[derive(Args, Debug)]
struct BuildArgs {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    dict: DictArgs,
    /// Output folder for graph.json and graph.dot.
    #[arg(short, long, value_name = "DIR", default_value = "output")]
    out: PathBuf,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum TableOrJson {
    Table,
    Json,
}

#[derive(Args, Debug)]
struct SpeakersArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: TableOrJson,
}

fn parse_format(s: &str) -> Result<Format, String> {
    Format::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
        format!("unknown format `{s}` (known: {})", names.join(", "))
    })
}

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        eprintln!(
            "podgraph: internal error: {info}\nThis is a bug in podgraph. Please report it with the command you ran."
        );
    }));
    let cli = Cli::parse();
    match std::panic::catch_unwind(|| run(cli)) {
        Ok(Ok(code)) => ExitCode::from(code),
        Ok(Err(err)) => {
            eprintln!("podgraph: error: {err:#}");
            let usage = err.downcast_ref::<Error>().is_some_and(|e| {
                matches!(
                    e,
                    Error::Usage(_) | Error::Config(_) | Error::Dictionary { .. }
                )
            });
            ExitCode::from(if usage { 2 } else { 1 })
        }
        Err(_) => ExitCode::from(3),
    }
}

fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Build(args) => build(args),
        Command::Speakers(args) => speakers(args),
    }
}

fn setup_threads(input: &InputArgs) -> anyhow::Result<()> {
    if let Some(n) = input.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()
            .context("cannot start worker threads")?;
    }
    Ok(())
}

fn corpus_options(input: &InputArgs) -> corpus::Options {
    corpus::Options {
        inputs: input.paths.clone(),
        people: input.people.clone(),
        format: input.input_format,
    }
}

/// A progress bar on a terminal; nothing when stderr is piped or --quiet.
struct Bar(Option<ProgressBar>);

impl Bar {
    fn new(quiet: bool) -> Bar {
        if quiet || !std::io::stderr().is_terminal() {
            return Bar(None);
        }
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} reading {pos}/{len} files [{bar:30}] {elapsed}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        Bar(Some(bar))
    }
}

impl Progress for Bar {
    fn start(&self, files: usize) {
        if let Some(b) = &self.0 {
            b.set_length(files as u64);
        }
    }
    fn advance(&self) {
        if let Some(b) = &self.0 {
            b.inc(1);
        }
    }
    fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

fn print_diagnostics(diags: &Diagnostics) {
    for d in diags.iter() {
        eprintln!("{d}");
    }
}

fn build(args: BuildArgs) -> anyhow::Result<u8> {
    setup_threads(&args.input)?;
    let opts = BuildOptions {
        inputs: Inputs {
            corpus: corpus_options(&args.input),
            dicts: args.dict.dicts.clone(),
            no_default_dict: args.dict.no_default_dict,
        },
        out: args.out.clone(),
    };
    let bar = Bar::new(args.input.quiet);
    let report = pipeline::build(&opts, &bar)?;
    print_diagnostics(&report.diagnostics);
    if !args.input.quiet {
        println!("{}", report.summary);
        for p in &report.written {
            println!("wrote {}", p.display());
        }
    }
    Ok(pipeline::exit_code(
        &report.diagnostics,
        report.summary.failed_files,
        args.input.strict,
    ) as u8)
}

fn speakers(args: SpeakersArgs) -> anyhow::Result<u8> {
    setup_threads(&args.input)?;
    // Speaker resolution needs no concept tagging: an empty dictionary.
    let tagger = podgraph::tagger::Tagger::new(&Default::default())?;
    let progress: Box<dyn Progress> = if args.input.quiet {
        Box::new(NoProgress)
    } else {
        Box::new(Bar::new(false))
    };
    let corpus = corpus::load(&corpus_options(&args.input), &tagger, progress.as_ref())?;
    print_diagnostics(&corpus.diagnostics);
    let rows = review::speakers(&corpus);
    match args.format {
        TableOrJson::Table => print!("{}", review::speakers_table(&rows)),
        TableOrJson::Json => println!("{}", serde_json::to_string_pretty(&rows)?),
    }
    Ok(pipeline::exit_code(&corpus.diagnostics, corpus.failed_files, args.input.strict) as u8)
}
