//! The `podgraph` command line: parses arguments, calls the library,
//! prints. Exit codes: 0 success, 1 some input files failed (outputs were
//! written for the rest), `--strict` found warnings, or an output could
//! not be written, 2 usage or configuration error, 3 internal error (a
//! bug; please report it).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use podgraph::corpus::{self, NoProgress, Progress};
use podgraph::diagnostics::Diagnostics;
use podgraph::pipeline::{self, BuildOptions, GraphSource, Inputs};
use podgraph::transcript::Format;
use podgraph::{Error, eval, output, related, review};

/// A build makes tens of millions of small allocations (turn texts,
/// quotes, labels) across threads; mimalloc serves them with less work and
/// less memory than the system allocator. Huge pages are left off: zeroing
/// 2 MB pages for short-lived blocks cost more than it saved.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Prints to stdout; a closed pipe (`podgraph ... | head`) ends the run
/// quietly instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => { emit(&format!($($arg)*)) };
}

/// [`out!`] with a line end.
macro_rules! outln {
    ($($arg:tt)*) => { emit(&format!("{}\n", format!($($arg)*))) };
}

fn emit(text: &str) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("podgraph: error: cannot write the output: {e}");
        std::process::exit(1);
    }
}

const EXIT_CODES: &str = "\
Exit status:
  0  success
  1  some input files failed (outputs were written for the others), --strict found warnings, or an
     output could not be written (the error names it; no file is left half-written)
  2  usage or configuration error (bad option, unreadable input, invalid dictionary or graph file,
     Graphviz missing for a render)
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
    /// Build the knowledge graph: write graph.json, graph.dot, related.json and the query index graph.idx.
    #[command(after_help = EXIT_CODES)]
    Build(BuildArgs),
    /// Show who speaks behind each label, per episode, with the evidence used.
    #[command(after_help = EXIT_CODES)]
    Speakers(SpeakersArgs),
    /// Recommend related episodes, each with its reasons; optionally write
    /// them into the episodes' `related:` front matter.
    #[command(after_help = EXIT_CODES)]
    Related(RelatedArgs),
    /// Ask the graph: which concepts a speaker discusses, who talks about
    /// a concept, where, with evidence. Reads output/graph.json unless
    /// told otherwise. Exit status 1 when there is no answer.
    #[command(subcommand)]
    Query(QueryCommand),
    /// Draw topic maps: the whole show, one episode, person or concept, as
    /// SVG, PNG, PDF or interactive HTML (through Graphviz), DOT, or
    /// JSON, GraphML and Cytoscape.js JSON for graph tools.
    #[command(after_help = EXIT_CODES)]
    Map(MapArgs),
    /// Check, grow and prune dictionaries.
    #[command(subcommand)]
    Dict(DictCommand),
    /// Measure podgraph against the data you have.
    #[command(subcommand)]
    Eval(EvalCommand),
}

#[derive(Subcommand, Debug)]
enum QueryCommand {
    /// Concepts a speaker discusses, with mention counts and episodes.
    #[command(after_help = QUERY_HELP)]
    Concepts {
        /// The speaker, as people type names ("kelsey hightower", "Hightower").
        speaker: String,
        #[command(flatten)]
        opts: QueryOpts,
    },
    /// Speakers who talk about a concept.
    #[command(after_help = QUERY_HELP)]
    Speakers {
        /// The concept (name or alias: "k8s").
        concept: String,
        #[command(flatten)]
        opts: QueryOpts,
    },
    /// Episodes that mention a concept, with the time of the first mention.
    #[command(after_help = QUERY_HELP)]
    Episodes {
        /// The concept.
        concept: String,
        #[command(flatten)]
        opts: QueryOpts,
    },
    /// Concepts named in the same turns as a concept, by Jaccard index.
    #[command(after_help = QUERY_HELP)]
    Cooccurring {
        /// The concept.
        concept: String,
        #[command(flatten)]
        opts: QueryOpts,
    },
    /// The turns behind an answer: episode, time, speaker and the quote.
    #[command(after_help = QUERY_HELP)]
    Evidence {
        /// Only mentions by this speaker.
        #[arg(long, required_unless_present = "concept")]
        speaker: Option<String>,
        /// Only mentions of this concept.
        #[arg(long)]
        concept: Option<String>,
        #[command(flatten)]
        opts: QueryOpts,
    },
    /// A person's profile: episodes and roles, top concepts, co-speakers.
    #[command(after_help = QUERY_HELP)]
    Person {
        /// The person.
        name: String,
        #[command(flatten)]
        opts: QueryOpts,
    },
    /// The shortest chain of relations between two nodes.
    #[command(after_help = QUERY_HELP)]
    Path {
        /// From (any node: person, concept, episode).
        from: String,
        /// To.
        to: String,
        #[command(flatten)]
        opts: QueryOpts,
    },
}

const QUERY_HELP: &str = "\
Names are matched ignoring case and accents, by name, alias or id; a
single word finds a person by given name or surname when only one fits.

Exit status:
  0  an answer was found
  1  no answer (or no node matches a name; close names are suggested)
  2  usage error: bad option, missing or unreadable graph file
  3  internal error: a bug in podgraph; please report it";

#[derive(Clone, Copy, Debug, ValueEnum)]
enum AnswerFormat {
    Table,
    Json,
    Csv,
}

#[derive(Args, Debug)]
struct QueryOpts {
    /// The graph written by `podgraph build`.
    #[arg(long, value_name = "FILE", default_value = "output/graph.json")]
    graph: PathBuf,
    /// Build the graph from these transcripts instead of reading --graph.
    #[arg(long = "from", value_name = "PATH")]
    from: Vec<PathBuf>,
    /// Only this episode (id or title).
    #[arg(long, value_name = "EPISODE")]
    episode: Option<String>,
    /// Only concepts of this kind (technology, organization, person, topic,
    /// event, publication); repeatable.
    #[arg(long, value_name = "KIND", value_parser = parse_kind)]
    kind: Vec<podgraph::dictionary::Kind>,
    /// At most this many rows (0: all).
    #[arg(long, value_name = "N", default_value_t = 0)]
    limit: usize,
    /// Output format; tables highlight matches on a terminal.
    #[arg(long, value_enum, default_value = "table")]
    format: AnswerFormat,
    #[command(flatten)]
    read: ReadArgs,
}

fn parse_kind(s: &str) -> Result<podgraph::dictionary::Kind, String> {
    podgraph::dictionary::Kind::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = podgraph::dictionary::Kind::ALL.iter().map(|k| k.name()).collect();
        format!("unknown kind `{s}` (known: {})", names.join(", "))
    })
}

#[derive(Subcommand, Debug)]
enum EvalCommand {
    /// Score related-episode recommendations against the curated `related`
    /// lists, leave-one-out: recall@3, recall@5, MRR and nDCG@5, in the
    /// earlier-only and all-episodes settings, beside simple baselines.
    #[command(after_help = EXIT_CODES)]
    Related(EvalRelatedArgs),
}

/// How inputs are read, dictionaries included.
#[derive(Args, Debug)]
struct ReadArgs {
    #[command(flatten)]
    base: BaseArgs,
    /// Extra dictionary file (YAML, see dictionaries/README.md); repeatable.
    #[arg(long = "dict", value_name = "FILE")]
    dicts: Vec<PathBuf>,
    /// Use only the --dict files, not the shipped dictionaries.
    #[arg(long)]
    no_default_dict: bool,
}

impl std::ops::Deref for ReadArgs {
    type Target = BaseArgs;
    fn deref(&self) -> &BaseArgs {
        &self.base
    }
}

/// How transcripts are read (commands that tag no concepts).
#[derive(Args, Debug)]
struct BaseArgs {
    /// Extra people profiles (files or folders), used to name speakers.
    #[arg(long, value_name = "PATH")]
    people: Vec<PathBuf>,
    /// Read every input in this format instead of detecting it: podlets,
    /// bold, json, vtt, srt or text.
    #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
    input_format: Option<Format>,
    /// Treat warnings as failures (exit status 1), for CI.
    #[arg(long)]
    strict: bool,
    /// Print no progress bar and no summary, only problems and results.
    #[arg(short, long)]
    quiet: bool,
    /// Worker threads (default: one per core).
    #[arg(short = 'j', long, value_name = "N")]
    threads: Option<usize>,
}

/// Transcripts to read.
#[derive(Args, Debug)]
struct PathArgs {
    /// Transcript files or folders (searched recursively for .md, .txt,
    /// .json, .vtt and .srt files). People profiles found among them (front
    /// matter with first_name and last_name) form the people directory.
    #[arg(required = true, value_name = "PATHS")]
    paths: Vec<PathBuf>,
}

/// Transcripts to read, or a saved graph.
#[derive(Args, Debug)]
struct SourceArgs {
    /// Transcript files or folders (searched recursively), as for `build`.
    #[arg(value_name = "PATHS", required_unless_present = "graph")]
    paths: Vec<PathBuf>,
    /// Use a graph.json written by `podgraph build` instead of reading transcripts.
    #[arg(long, value_name = "FILE", conflicts_with = "paths")]
    graph: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct BuildArgs {
    #[command(flatten)]
    paths: PathArgs,
    #[command(flatten)]
    read: ReadArgs,
    /// Output folder for graph.json, graph.dot, related.json and graph.idx.
    #[arg(short, long, value_name = "DIR", default_value = "output")]
    out: PathBuf,
    /// Related episodes per episode in related.json.
    #[arg(long, value_name = "K", default_value_t = 5)]
    related_top: usize,
    /// In related.json, recommend only episodes published earlier.
    #[arg(long)]
    related_earlier_only: bool,
    /// Print how long each stage took (on stderr), to see where a large
    /// build spends its time.
    #[arg(long)]
    timings: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum TableOrJson {
    Table,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ListFormat {
    Table,
    Json,
    Yaml,
}

#[derive(Args, Debug)]
struct SpeakersArgs {
    #[command(flatten)]
    paths: PathArgs,
    #[command(flatten)]
    read: BaseArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: TableOrJson,
}

#[derive(Args, Debug)]
struct RelatedArgs {
    #[command(flatten)]
    source: SourceArgs,
    #[command(flatten)]
    read: ReadArgs,
    /// Recommendations per episode.
    #[arg(long, value_name = "K", default_value_t = 5)]
    top: usize,
    /// Recommend only episodes published before each episode (by date, or
    /// episode number), as an editor adding a new episode must.
    #[arg(long)]
    earlier_only: bool,
    /// Leave out recommendations scoring below this.
    #[arg(long, value_name = "S", default_value_t = 0.0)]
    min_score: f64,
    /// Output format. JSON is the data file Jekyll (_data/), Hugo (data/)
    /// and Eleventy (_data/) read as it is.
    #[arg(long, value_enum, default_value = "table")]
    format: ListFormat,
    /// Rewrite the `related:` list in each episode's front matter (only
    /// that list; every other byte is kept). Shows the diff; writes only
    /// with --apply. The lists written come from shared concepts and
    /// people only, not from other episodes' related lists, so running
    /// again gives the same lists.
    #[arg(long)]
    write_front_matter: bool,
    /// With --write-front-matter: write the files (atomically).
    #[arg(long, requires = "write_front_matter")]
    apply: bool,
    /// With --write-front-matter: keep the curated entries first and add
    /// the recommendations after them.
    #[arg(long, requires = "write_front_matter")]
    keep_curated: bool,
}

#[derive(Args, Debug)]
struct EvalRelatedArgs {
    #[command(flatten)]
    source: SourceArgs,
    #[command(flatten)]
    read: ReadArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    format: TableOrJson,
}

#[derive(Args, Debug)]
struct MapArgs {
    #[command(flatten)]
    source: SourceArgs,
    #[command(flatten)]
    read: ReadArgs,
    /// Map one episode (id or title) instead of the whole show.
    #[arg(long, value_name = "EPISODE", conflicts_with_all = ["person", "concept"])]
    episode: Option<String>,
    /// Map one person: the concepts they discuss across episodes.
    #[arg(long, value_name = "NAME", conflicts_with = "concept")]
    person: Option<String>,
    /// Map one concept: its people, episodes and co-occurring concepts.
    #[arg(long, value_name = "NAME")]
    concept: Option<String>,
    /// Most concepts drawn (neighbours for --concept); 0 for all.
    #[arg(long, value_name = "N", default_value_t = 40)]
    top: usize,
    /// Weakest co-occurrence link drawn, as normalised PMI (-1 to 1).
    #[arg(long, value_name = "W", default_value_t = 0.1, allow_negative_numbers = true)]
    min_weight: f64,
    /// Strongest co-occurrence links kept per concept.
    #[arg(long, value_name = "N", default_value_t = 4)]
    links: usize,
    /// Fewest turns two concepts must share to be linked.
    #[arg(long, value_name = "N", default_value_t = 2)]
    min_shared: usize,
    /// Only concepts of this kind; repeatable.
    #[arg(long, value_name = "KIND", value_parser = parse_kind)]
    kind: Vec<podgraph::dictionary::Kind>,
    /// What to write, comma-separated: dot, svg, png, pdf, html (need
    /// Graphviz, except dot), json, graphml, cytoscape.
    #[arg(long, value_name = "FORMATS", default_value = "svg", value_delimiter = ',', value_parser = parse_render)]
    render: Vec<String>,
    /// A file (one render, with its extension) or a folder, which receives
    /// <map>.<ext> for each render.
    #[arg(short, long, value_name = "FILE|DIR", default_value = "output/maps")]
    out: PathBuf,
}

fn parse_render(s: &str) -> Result<String, String> {
    if podgraph::map::RENDERS.contains(&s) {
        Ok(s.to_string())
    } else {
        Err(format!(
            "unknown render `{s}` (known: {})",
            podgraph::map::RENDERS.join(", ")
        ))
    }
}

fn map_cmd(args: MapArgs) -> anyhow::Result<u8> {
    use podgraph::map::{self, View};
    use podgraph::query::{self, Lookup};
    setup_threads(&args.read)?;
    let bar = Bar::new(args.read.quiet);
    let loaded = pipeline::load_graph(&graph_source(&args.source, &args.read), &bar)?;
    print_diagnostics(&loaded.diagnostics);
    let lookup = Lookup::for_graph(&loaded.graph);
    let pick = |name: &str, what: &str, accept: fn(&podgraph::graph::Node) -> bool| {
        lookup
            .find(name, what, accept)
            .map(|i| lookup.node(i).map(|n| n.id.clone()).unwrap_or_default())
    };
    let view = match (&args.episode, &args.person, &args.concept) {
        (Some(e), _, _) => pick(e, "episode", query::is_episode).map(View::Episode),
        (_, Some(p), _) => pick(p, "person", query::is_speaker).map(View::Person),
        (_, _, Some(c)) => pick(c, "concept", query::is_concept).map(View::Concept),
        _ => Ok(View::Show),
    };
    let view = match view {
        Ok(v) => v,
        Err(not_found) => {
            eprintln!("podgraph: {not_found}");
            return Ok(1);
        }
    };
    let name = view.slug();
    let opts = map::Options {
        view,
        top: args.top,
        min_weight: args.min_weight,
        links_per_node: args.links,
        min_shared: args.min_shared,
        kinds: args.kind.clone(),
    };
    let topic_map = map::build(&loaded.graph, &opts);
    let written = map::write(&topic_map, &args.render, &args.out, &name)?;
    if !args.read.quiet {
        outln!(
            "{}: {} nodes, {} links, {} clusters",
            topic_map.title,
            topic_map.nodes.len(),
            topic_map.edges.len(),
            topic_map.clusters.len()
        );
        for p in written {
            outln!("wrote {}", p.display());
        }
    }
    Ok(pipeline::exit_code(&loaded.diagnostics, loaded.failed_files, args.read.strict) as u8)
}

#[derive(Subcommand, Debug)]
enum DictCommand {
    /// Lint dictionaries: invalid files, unknown fields or kinds, aliases
    /// claimed twice, empty or one-letter aliases, repeated entries, and
    /// aliases that are common English words (or two letters) matching in
    /// any case. Without FILES, checks the shipped dictionaries; with
    /// FILES, checks them together with the shipped ones (as a build would
    /// load them) unless --no-default-dict. Exit status 1 on errors.
    #[command(after_help = EXIT_CODES)]
    Check {
        /// Dictionary files to check.
        #[arg(value_name = "FILES")]
        files: Vec<PathBuf>,
        /// Check only FILES, not the shipped dictionaries.
        #[arg(long)]
        no_default_dict: bool,
        /// Treat warnings as errors (exit status 1).
        #[arg(long)]
        strict: bool,
    },
    /// Propose entries the dictionary lacks, from transcripts: names linked
    /// in the metadata or the text, guests, capitalised phrases recurring
    /// across episodes; with counts, episodes and an example sentence.
    #[command(after_help = EXIT_CODES)]
    Suggest {
        #[command(flatten)]
        paths: PathArgs,
        #[command(flatten)]
        read: ReadArgs,
        /// At most this many suggestions (0: all).
        #[arg(long, value_name = "N", default_value_t = 50)]
        limit: usize,
        /// A capitalised phrase must occur in this many episodes.
        #[arg(long, value_name = "N", default_value_t = 2)]
        min_episodes: usize,
        /// Output: a table, a YAML block ready to paste, or JSON.
        #[arg(long, value_enum, default_value = "table")]
        format: ListFormat,
    },
    /// Per entry: mentions, episodes and the most used alias, from the
    /// transcripts; entries never seen are listed last (or alone with
    /// --unused), to help prune noise.
    #[command(after_help = EXIT_CODES)]
    Stats {
        #[command(flatten)]
        source: SourceArgs,
        #[command(flatten)]
        read: ReadArgs,
        /// Only entries never seen.
        #[arg(long)]
        unused: bool,
        /// At most this many rows (0: all).
        #[arg(long, value_name = "N", default_value_t = 0)]
        limit: usize,
        /// Output format.
        #[arg(long, value_enum, default_value = "table")]
        format: TableOrJson,
    },
}

fn dict_cmd(cmd: DictCommand) -> anyhow::Result<u8> {
    use podgraph::dictionary::{Dictionary, Source};
    use podgraph::dicttools::{self, CommonWords};
    let common = CommonWords::default();
    match cmd {
        DictCommand::Check {
            files,
            no_default_dict,
            strict,
        } => {
            let mut sources = if no_default_dict { Vec::new() } else { Source::builtin() };
            for f in &files {
                sources.push(Source::read(f)?);
            }
            if sources.is_empty() {
                return Err(Error::Usage("nothing to check: give dictionary files".into()).into());
            }
            let diags = dicttools::check(&sources, &common);
            print_diagnostics(&diags);
            let mut probe = Diagnostics::default();
            let dict = Dictionary::load(&sources, &mut probe);
            eprintln!(
                "{} entries, {} patterns in {} files: {} errors, {} warnings",
                dict.concepts.len(),
                dict.patterns.len(),
                sources.len(),
                diags.errors(),
                diags.warnings()
            );
            Ok(u8::from(diags.errors() > 0 || (strict && diags.warnings() > 0)))
        }
        DictCommand::Suggest {
            paths,
            read,
            limit,
            min_episodes,
            format,
        } => {
            setup_threads(&read)?;
            let inputs = inputs(&paths.paths, &read);
            let (dict, diags) = pipeline::load_dictionary(&inputs)?;
            print_diagnostics(&diags);
            let mut list = dicttools::suggest(&inputs.corpus, &dict, &common, min_episodes)?;
            if limit > 0 {
                list.truncate(limit);
            }
            match format {
                ListFormat::Yaml => out!("{}", dicttools::suggestions_yaml(&list)),
                ListFormat::Json => outln!("{}", serde_json::to_string_pretty(&list)?),
                ListFormat::Table => {
                    let rows: Vec<Vec<String>> = list
                        .iter()
                        .map(|s| {
                            vec![
                                s.name.clone(),
                                s.kind.name().to_string(),
                                s.count.to_string(),
                                s.episodes.len().to_string(),
                                s.evidence.join(","),
                                s.example
                                    .as_ref()
                                    .map(|(e, q)| format!("{e}: {}", q.replace('\n', " ")))
                                    .unwrap_or_default(),
                            ]
                        })
                        .collect();
                    out!(
                        "{}",
                        podgraph::table::render(&["NAME", "KIND", "SEEN", "EPISODES", "EVIDENCE", "EXAMPLE"], &rows)
                    );
                }
            }
            Ok(u8::from(list.is_empty()))
        }
        DictCommand::Stats {
            source,
            read,
            unused,
            limit,
            format,
        } => {
            setup_threads(&read)?;
            let gs = graph_source(&source, &read);
            let loaded = pipeline::load_graph(&gs, &Bar::new(read.quiet))?;
            print_diagnostics(&loaded.diagnostics);
            let (dict, _) = pipeline::load_dictionary(&inputs(&[], &read))?;
            let mut rows = dicttools::stats(&loaded.graph, &dict);
            if unused {
                rows.retain(|r| r.mentions == 0);
            }
            if limit > 0 {
                rows.truncate(limit);
            }
            match format {
                TableOrJson::Json => outln!("{}", serde_json::to_string_pretty(&rows)?),
                TableOrJson::Table => {
                    let body: Vec<Vec<String>> = rows
                        .iter()
                        .map(|r| {
                            vec![
                                r.name.clone(),
                                r.kind.clone(),
                                r.mentions.to_string(),
                                r.episodes.to_string(),
                                r.top_alias
                                    .as_ref()
                                    .map(|(a, n)| format!("{a} ({n})"))
                                    .unwrap_or_default(),
                            ]
                        })
                        .collect();
                    out!(
                        "{}",
                        podgraph::table::render(&["ENTRY", "KIND", "MENTIONS", "EPISODES", "TOP ALIAS"], &body)
                    );
                }
            }
            Ok(0)
        }
    }
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
                    Error::Usage(_)
                        | Error::Config(_)
                        | Error::Dictionary { .. }
                        | Error::GraphFile { .. }
                        | Error::External(_)
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
        Command::Related(args) => related_cmd(args),
        Command::Eval(EvalCommand::Related(args)) => eval_related(args),
        Command::Query(q) => query_cmd(q),
        Command::Map(args) => map_cmd(args),
        Command::Dict(cmd) => dict_cmd(cmd),
    }
}

fn setup_threads(read: &BaseArgs) -> anyhow::Result<()> {
    if let Some(n) = read.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()
            .context("cannot start worker threads")?;
    }
    Ok(())
}

fn inputs(paths: &[PathBuf], read: &ReadArgs) -> Inputs {
    Inputs {
        corpus: corpus_options(paths, read),
        dicts: read.dicts.clone(),
        no_default_dict: read.no_default_dict,
    }
}

fn corpus_options(paths: &[PathBuf], read: &BaseArgs) -> corpus::Options {
    corpus::Options {
        inputs: paths.to_vec(),
        people: read.people.clone(),
        format: read.input_format,
    }
}

fn graph_source(source: &SourceArgs, read: &ReadArgs) -> GraphSource {
    match &source.graph {
        Some(g) => GraphSource::File(g.clone()),
        None => GraphSource::Inputs(inputs(&source.paths, read)),
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
            ProgressStyle::with_template("{spinner} reading {pos}/{len} files [{bar:30}] {elapsed}")
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
    setup_threads(&args.read)?;
    let opts = BuildOptions {
        inputs: inputs(&args.paths.paths, &args.read),
        out: args.out.clone(),
        related: related::Options {
            top: args.related_top,
            earlier_only: args.related_earlier_only,
            ..related::Options::default()
        },
    };
    let bar = Bar::new(args.read.quiet);
    let report = pipeline::build(&opts, &bar)?;
    print_diagnostics(&report.diagnostics);
    if !args.read.quiet {
        outln!("{}", report.summary);
        for p in &report.written {
            outln!("wrote {}", p.display());
        }
    }
    if args.timings {
        for (stage, t) in &report.times {
            eprintln!("{:>9.3} s  {stage}", t.as_secs_f64());
        }
    }
    let code = pipeline::exit_code(&report.diagnostics, report.summary.failed_files, args.read.strict) as u8;
    // The process ends next: freeing the graph's millions of allocations
    // one by one would only cost time.
    std::mem::forget(report);
    Ok(code)
}

fn speakers(args: SpeakersArgs) -> anyhow::Result<u8> {
    setup_threads(&args.read)?;
    // Speaker resolution needs no concept tagging: an empty dictionary.
    let tagger = podgraph::tagger::Tagger::new(&Default::default())?;
    let progress: Box<dyn Progress> = if args.read.quiet {
        Box::new(NoProgress)
    } else {
        Box::new(Bar::new(false))
    };
    let opts = corpus_options(&args.paths.paths, &args.read);
    let corpus = corpus::load(&opts, &tagger, progress.as_ref())?;
    print_diagnostics(&corpus.diagnostics);
    let rows = review::speakers(&corpus);
    match args.format {
        TableOrJson::Table => out!("{}", review::speakers_table(&rows)),
        TableOrJson::Json => outln!("{}", serde_json::to_string_pretty(&rows)?),
    }
    Ok(pipeline::exit_code(&corpus.diagnostics, corpus.failed_files, args.read.strict) as u8)
}

fn related_cmd(args: RelatedArgs) -> anyhow::Result<u8> {
    setup_threads(&args.read)?;
    if args.write_front_matter && args.source.graph.is_some() {
        return Err(Error::Usage("--write-front-matter needs the episode files as PATHS, not --graph".into()).into());
    }
    let bar = Bar::new(args.read.quiet);
    let loaded = pipeline::load_graph(&graph_source(&args.source, &args.read), &bar)?;
    print_diagnostics(&loaded.diagnostics);
    let opts = related::Options {
        top: args.top,
        earlier_only: args.earlier_only,
        min_score: args.min_score,
        use_curated: !args.write_front_matter,
    };
    let lists = related::recommend_all(&loaded.graph, &opts);
    if args.write_front_matter {
        let edits = related::front_matter_edits(&loaded.graph, &lists, args.keep_curated)?;
        for e in &edits {
            if args.apply {
                output::write_atomic(&e.path, e.new.as_bytes())?;
                outln!("updated {}", e.path.display());
            } else {
                out!(
                    "{}",
                    output::unified_diff(&e.path.display().to_string(), &e.old, &e.new)
                );
            }
        }
        if !args.apply && !args.read.quiet {
            eprintln!(
                "{} file(s) would change; nothing written (dry run). Add --apply to write.",
                edits.len()
            );
        }
    } else {
        match args.format {
            ListFormat::Json => out!("{}", pipeline::related_json(&lists)),
            ListFormat::Yaml => out!("{}", serde_yaml::to_string(&lists)?),
            ListFormat::Table => out!("{}", related_table(&lists)),
        }
    }
    Ok(pipeline::exit_code(&loaded.diagnostics, loaded.failed_files, args.read.strict) as u8)
}

fn related_table(lists: &std::collections::BTreeMap<String, Vec<related::Recommendation>>) -> String {
    let mut rows = Vec::new();
    for (ep, recs) in lists {
        for (i, r) in recs.iter().enumerate() {
            let reasons: Vec<String> = r
                .reasons
                .iter()
                .map(|x| format!("{} {:.0}%", x.name, x.weight * 100.0))
                .collect();
            rows.push(vec![
                ep.clone(),
                (i + 1).to_string(),
                r.id.clone(),
                format!("{:.4}", r.score),
                reasons.join(", "),
            ]);
        }
    }
    podgraph::table::render(&["EPISODE", "#", "RELATED", "SCORE", "REASONS"], &rows)
}

fn eval_related(args: EvalRelatedArgs) -> anyhow::Result<u8> {
    setup_threads(&args.read)?;
    let bar = Bar::new(args.read.quiet);
    let loaded = pipeline::load_graph(&graph_source(&args.source, &args.read), &bar)?;
    print_diagnostics(&loaded.diagnostics);
    let rows = eval::evaluate(&related::WalkGraph::new(&loaded.graph));
    match args.format {
        TableOrJson::Table => out!("{}", eval::table(&rows)),
        TableOrJson::Json => outln!("{}", serde_json::to_string_pretty(&rows)?),
    }
    Ok(pipeline::exit_code(&loaded.diagnostics, loaded.failed_files, args.read.strict) as u8)
}

fn query_cmd(q: QueryCommand) -> anyhow::Result<u8> {
    let opts = match &q {
        QueryCommand::Concepts { opts, .. }
        | QueryCommand::Speakers { opts, .. }
        | QueryCommand::Episodes { opts, .. }
        | QueryCommand::Cooccurring { opts, .. }
        | QueryCommand::Evidence { opts, .. }
        | QueryCommand::Person { opts, .. }
        | QueryCommand::Path { opts, .. } => opts,
    };
    setup_threads(&opts.read)?;
    let source = if opts.from.is_empty() {
        GraphSource::File(opts.graph.clone())
    } else {
        GraphSource::Inputs(inputs(&opts.from, &opts.read))
    };
    let opened = pipeline::open_index(&source, &Bar::new(opts.read.quiet))?;
    print_diagnostics(&opened.diagnostics);
    let answer = match answer(&q, &opened.index, opts)? {
        Ok(a) => a,
        Err(not_found) => {
            eprintln!("podgraph: {not_found}");
            return Ok(1);
        }
    };
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    match opts.format {
        AnswerFormat::Table => out!("{}", answer.table(color)),
        AnswerFormat::Json => out!("{}", answer.json()),
        AnswerFormat::Csv => out!("{}", answer.csv()),
    }
    if answer.is_empty() {
        if !opts.read.quiet {
            eprintln!("podgraph: no results");
        }
        return Ok(1);
    }
    Ok(0)
}

/// Runs a query; the inner error is a name that matches nothing.
fn answer(
    q: &QueryCommand,
    idx: &podgraph::index::QueryIndex,
    opts: &QueryOpts,
) -> anyhow::Result<Result<podgraph::query::Answer, podgraph::query::NotFound>> {
    use podgraph::query::{self, Answer, Lookup};
    let lookup = Lookup::new(idx);
    let find = |name: &str, what: &str, accept: fn(&podgraph::graph::Node) -> bool| lookup.find(name, what, accept);
    macro_rules! find {
        ($name:expr, $what:expr, $accept:expr) => {
            match find($name, $what, $accept) {
                Ok(n) => n,
                Err(e) => return Ok(Err(e)),
            }
        };
    }
    let filters = query::Filters {
        episode: match opts.episode.as_deref() {
            Some(e) => Some(find!(e, "episode", query::is_episode)),
            None => None,
        },
        kinds: opts.kind.clone(),
        limit: opts.limit,
    };
    Ok(Ok(match q {
        QueryCommand::Concepts { speaker, .. } => Answer::Concepts(query::concepts_of(
            idx,
            find!(speaker, "speaker", query::is_speaker),
            &filters,
        )?),
        QueryCommand::Speakers { concept, .. } => Answer::Speakers(query::speakers_of(
            idx,
            find!(concept, "concept", query::is_concept),
            &filters,
        )?),
        QueryCommand::Episodes { concept, .. } => Answer::Episodes(query::episodes_of(
            idx,
            find!(concept, "concept", query::is_concept),
            &filters,
        )?),
        QueryCommand::Cooccurring { concept, .. } => Answer::Cooccurring(query::cooccurring(
            idx,
            find!(concept, "concept", query::is_concept),
            &filters,
        )?),
        QueryCommand::Evidence { speaker, concept, .. } => {
            let s = match speaker {
                Some(s) => Some(find!(s, "speaker", query::is_speaker)),
                None => None,
            };
            let c = match concept {
                Some(c) => Some(find!(c, "concept", query::is_concept)),
                None => None,
            };
            Answer::Evidence(query::evidence(idx, s, c, &filters)?)
        }
        QueryCommand::Person { name, .. } => Answer::Person(Box::new(query::person(
            idx,
            find!(name, "person", query::is_speaker),
            &filters,
        )?)),
        QueryCommand::Path { from, to, .. } => {
            let a = find!(from, "node", query::any);
            let b = find!(to, "node", query::any);
            Answer::Path(query::path(idx, a, b)?.unwrap_or_default())
        }
    }))
}
