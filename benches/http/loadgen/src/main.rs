//! The load generator of benches/http/live.py: long-lived connections wrk
//! cannot drive.
//!
//! ```text
//! heaven-loadgen ws  --url ws://127.0.0.1:8000/ws --connections 64 --warmup 2 --duration 6
//! heaven-loadgen sse --url http://127.0.0.1:8000/events --clients 200 --warmup 2 --duration 6
//! ```
//!
//! `ws`: every connection sends a small text message, waits for its echo
//! (which must be the same text), and again, in a loop; counted are the
//! round trips completed in the measured window, and their latency.
//!
//! `sse`: every client sends one GET and reads the `text/event-stream`
//! answer (chunked or not) with a hand-written HTTP/1.1 reader; every event's
//! data must hold `"seq":N`, each client's N rising by exactly one from its
//! first event. Counted are the events received in the measured window,
//! summed over the clients.
//!
//! It runs on one thread (tokio's current-thread runtime), so `taskset -c N`
//! pins all of it to one CPU, and it reports its own CPU time over the
//! measured window (`/proc/self/schedstat`): a client busy well under 100%
//! of its CPU was not what limited the rate.
//!
//! Progress goes to stdout one word a line (`ready`, `measure`, `done`) so
//! the caller can sample the server around the measured window; the result
//! is the last line, one JSON object. Any protocol error (a wrong echo, a
//! gap in the sequence, a wrong status or content type, a connection lost
//! early) is counted and the exit status is 1.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::io::Write;
use std::rc::Rc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

const MEASURE: u8 = 1;
const STOP: u8 = 2;
/// Protocol errors kept verbatim for the report (the rest are only counted).
const KEPT_ERRORS: usize = 10;

struct Options {
    mode: String,
    url: String,
    connections: usize,
    warmup: f64,
    duration: f64,
    timeout: f64,
}

fn usage() -> ! {
    eprintln!(
        "usage: heaven-loadgen (ws|sse) --url URL [--connections N | --clients N] [--warmup S] [--duration S] [--timeout S]"
    );
    std::process::exit(2)
}

fn parse_options() -> Options {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| usage());
    if mode != "ws" && mode != "sse" {
        usage();
    }
    let mut opts = Options {
        mode,
        url: String::new(),
        connections: 64,
        warmup: 2.0,
        duration: 6.0,
        timeout: 30.0,
    };
    while let Some(flag) = args.next() {
        let value = args.next().unwrap_or_else(|| usage());
        let number = || value.parse::<f64>().unwrap_or_else(|_| usage());
        match flag.as_str() {
            "--url" => opts.url = value.clone(),
            "--connections" | "--clients" => opts.connections = number() as usize,
            "--warmup" => opts.warmup = number(),
            "--duration" => opts.duration = number(),
            "--timeout" => opts.timeout = number(),
            _ => usage(),
        }
    }
    if opts.url.is_empty() || opts.connections == 0 || opts.duration <= 0.0 || opts.warmup < 0.0 {
        usage();
    }
    opts
}

/// What every connection shares: the phase (0 warm-up, then MEASURE, then
/// STOP), the counts, the errors.
#[derive(Default)]
struct Shared {
    phase: Cell<u8>,
    counted: Cell<u64>,
    errors: Cell<u64>,
    kept: RefCell<Vec<String>>,
    ready: Cell<usize>,
}

impl Shared {
    fn error(&self, message: String) {
        self.errors.set(self.errors.get() + 1);
        let mut kept = self.kept.borrow_mut();
        if kept.len() < KEPT_ERRORS {
            kept.push(message);
        }
    }
}

/// Nanoseconds this thread has run on a CPU (the first field of schedstat).
fn cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(0)
}

fn say(word: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{word}");
    let _ = out.flush();
}

fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `host:port` and path of `scheme://host:port/path`.
fn split_url(url: &str) -> (String, String) {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    match rest.find('/') {
        Some(i) => (rest[..i].to_string(), rest[i..].to_string()),
        None => (rest.to_string(), "/".to_string()),
    }
}

/// Waits the warm-up, measures, stops; returns (seconds measured, CPU seconds).
async fn run_phases(shared: &Shared, opts: &Options) -> (f64, f64) {
    tokio::time::sleep(Duration::from_secs_f64(opts.warmup)).await;
    shared.counted.set(0);
    shared.phase.set(MEASURE);
    say("measure");
    let (t0, c0) = (Instant::now(), cpu_ns());
    tokio::time::sleep(Duration::from_secs_f64(opts.duration)).await;
    shared.phase.set(STOP);
    let (seconds, cpu) = (t0.elapsed().as_secs_f64(), (cpu_ns() - c0) as f64 / 1e9);
    say("done");
    (seconds, cpu)
}

/// Starts `opts.connections` connections (`start(id)`); once every one is
/// set up (`ready`, `what` them, within the timeout and without an error):
/// the warm-up and the measured window, as `run_phases`; otherwise an error,
/// every connection told to stop, and (0, 0). Returns the connections' tasks too.
async fn drive<F: Future<Output = ()> + 'static>(
    shared: &Shared,
    opts: &Options,
    what: &str,
    start: impl Fn(usize) -> F,
) -> (Vec<JoinHandle<()>>, f64, f64) {
    let tasks = (0..opts.connections)
        .map(|id| tokio::task::spawn_local(start(id)))
        .collect();
    let deadline = Instant::now() + Duration::from_secs_f64(opts.timeout);
    while shared.ready.get() < opts.connections && Instant::now() <= deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    if shared.ready.get() >= opts.connections && shared.errors.get() == 0 {
        say("ready");
        let (seconds, cpu) = run_phases(shared, opts).await;
        return (tasks, seconds, cpu);
    }
    shared.error(format!(
        "only {} of {} {what}",
        shared.ready.get(),
        opts.connections
    ));
    shared.phase.set(STOP);
    (tasks, 0.0, 0.0)
}

/// The result line (one JSON object: the fields every mode has, then
/// `extra`), and whether the run had no error.
fn report(
    shared: &Shared,
    opts: &Options,
    mode: &str,
    seconds: f64,
    cpu: f64,
    extra: &str,
) -> (String, bool) {
    let count = shared.counted.get();
    let kept: Vec<String> = shared.kept.borrow().iter().map(|e| json_str(e)).collect();
    let line = format!(
        "{{\"mode\":\"{mode}\",\"connections\":{},\"seconds\":{seconds:.4},\"count\":{count},\"rate\":{:.1},\"client_cpu_s\":{cpu:.4},\"errors\":{},\"error_samples\":[{}],{extra}}}",
        opts.connections,
        if seconds > 0.0 { count as f64 / seconds } else { 0.0 },
        shared.errors.get(),
        kept.join(","),
    );
    (line, shared.errors.get() == 0)
}

fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

// -- websocket echo --------------------------------------------------------------

async fn ws_connection(
    id: usize,
    url: String,
    shared: Rc<Shared>,
    latencies: Rc<RefCell<Vec<u32>>>,
) {
    let (addr, _) = split_url(&url);
    let stream = match TcpStream::connect(&addr).await {
        Ok(s) => s,
        Err(e) => return shared.error(format!("connection {id}: connect: {e}")),
    };
    let _ = stream.set_nodelay(true);
    let mut ws = match tokio_tungstenite::client_async(url.as_str(), stream).await {
        Ok((ws, _)) => ws,
        Err(e) => return shared.error(format!("connection {id}: handshake: {e}")),
    };
    shared.ready.set(shared.ready.get() + 1);
    let mut n: u64 = 0;
    while shared.phase.get() != STOP {
        n += 1;
        let text = format!("m{id}-{n}");
        let start = Instant::now();
        if let Err(e) = ws.send(Message::text(text.clone())).await {
            return shared.error(format!("connection {id}: send: {e}"));
        }
        match ws.next().await {
            Some(Ok(Message::Text(echo))) if echo.as_str() == text => {}
            Some(Ok(other)) => {
                return shared.error(format!("connection {id}: sent {text:?}, got {other:?}"))
            }
            Some(Err(e)) => return shared.error(format!("connection {id}: receive: {e}")),
            None => return shared.error(format!("connection {id}: closed by the server")),
        }
        if shared.phase.get() == MEASURE {
            shared.counted.set(shared.counted.get() + 1);
            latencies
                .borrow_mut()
                .push(start.elapsed().as_micros().min(u32::MAX as u128) as u32);
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(1), ws.close(None)).await;
}

async fn ws_main(opts: &Options) -> (String, bool) {
    let shared = Rc::new(Shared::default());
    let latencies = Rc::new(RefCell::new(Vec::with_capacity(1 << 20)));
    let (tasks, seconds, cpu) = drive(&shared, opts, "connections opened", |id| {
        ws_connection(id, opts.url.clone(), shared.clone(), latencies.clone())
    })
    .await;
    for task in tasks {
        if tokio::time::timeout(Duration::from_secs_f64(opts.timeout), task)
            .await
            .is_err()
        {
            shared.error("a connection did not finish its last round trip".to_string());
            break;
        }
    }
    let mut lat = latencies.take();
    lat.sort_unstable();
    let extra = format!(
        "\"p50_us\":{},\"p99_us\":{},\"max_us\":{}",
        percentile(&lat, 50.0),
        percentile(&lat, 99.0),
        lat.last().copied().unwrap_or(0),
    );
    report(&shared, opts, "ws", seconds, cpu, &extra)
}

// -- server-sent events ----------------------------------------------------------

/// The body of a response: chunked transfer decoding, or bytes as they come.
enum Body {
    Plain,
    ChunkSize(Vec<u8>),
    ChunkData(usize),
    ChunkEnd(u8),
    Finished,
}

impl Body {
    /// Decodes `input` into `out`; Err on a malformed chunk framing.
    fn feed(&mut self, mut input: &[u8], out: &mut Vec<u8>) -> Result<(), String> {
        while !input.is_empty() {
            match self {
                Body::Plain => {
                    out.extend_from_slice(input);
                    return Ok(());
                }
                Body::Finished => return Err("data after the last chunk".into()),
                Body::ChunkSize(line) => {
                    let b = input[0];
                    input = &input[1..];
                    if b != b'\n' {
                        line.push(b);
                        continue;
                    }
                    let text = String::from_utf8_lossy(line);
                    let hex = text
                        .trim_end_matches('\r')
                        .split(';')
                        .next()
                        .unwrap_or("")
                        .trim();
                    let size = usize::from_str_radix(hex, 16)
                        .map_err(|_| format!("bad chunk size line {text:?}"))?;
                    *self = if size == 0 {
                        Body::Finished
                    } else {
                        Body::ChunkData(size)
                    };
                }
                Body::ChunkData(left) => {
                    let take = (*left).min(input.len());
                    out.extend_from_slice(&input[..take]);
                    input = &input[take..];
                    *left -= take;
                    if *left == 0 {
                        *self = Body::ChunkEnd(0);
                    }
                }
                Body::ChunkEnd(seen) => {
                    let want = if *seen == 0 { b'\r' } else { b'\n' };
                    if input[0] != want {
                        return Err("a chunk not followed by CRLF".into());
                    }
                    input = &input[1..];
                    *seen += 1;
                    if *seen == 2 {
                        *self = Body::ChunkSize(Vec::new());
                    }
                }
            }
        }
        Ok(())
    }
}

/// The event-stream parser: lines (LF, CRLF or CR), `data:` fields joined,
/// an event dispatched at each blank line.
#[derive(Default)]
struct EventParser {
    line: Vec<u8>,
    data: Vec<u8>,
    has_data: bool,
    after_cr: bool,
}

impl EventParser {
    fn feed(&mut self, input: &[u8], mut on_event: impl FnMut(&[u8])) {
        for &b in input {
            if self.after_cr {
                self.after_cr = false;
                if b == b'\n' {
                    continue;
                }
            }
            if b != b'\n' && b != b'\r' {
                self.line.push(b);
                continue;
            }
            self.after_cr = b == b'\r';
            if self.line.is_empty() {
                if self.has_data {
                    on_event(&self.data);
                }
                self.data.clear();
                self.has_data = false;
                continue;
            }
            let line = std::mem::take(&mut self.line);
            let (field, value) = match line.iter().position(|&c| c == b':') {
                Some(i) => {
                    let v = &line[i + 1..];
                    (&line[..i], v.strip_prefix(b" ").unwrap_or(v))
                }
                None => (&line[..], &b""[..]),
            };
            if field == b"data" {
                if self.has_data {
                    self.data.push(b'\n');
                }
                self.data.extend_from_slice(value);
                self.has_data = true;
            }
            self.line = line;
            self.line.clear();
        }
    }
}

/// The N of `"seq": N` in an event's data.
fn sequence(data: &[u8]) -> Option<u64> {
    let key = b"\"seq\"";
    let at = data.windows(key.len()).position(|w| w == key)? + key.len();
    let rest = &data[at..];
    let rest = &rest[rest.iter().position(|c| !c.is_ascii_whitespace())?..];
    let rest = rest.strip_prefix(b":")?;
    let start = rest.iter().position(|c| !c.is_ascii_whitespace())?;
    let digits = rest[start..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    std::str::from_utf8(&rest[start..start + digits])
        .ok()?
        .parse()
        .ok()
}

struct Head {
    status: u16,
    headers: Vec<(String, String)>,
}

impl Head {
    fn get(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn parse_head(raw: &[u8]) -> Result<Head, String> {
    let text = String::from_utf8_lossy(raw);
    let mut lines = text.split("\r\n");
    let status_line = lines.next().unwrap_or("");
    let mut parts = status_line.splitn(3, ' ');
    let (version, status) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if !version.starts_with("HTTP/1.") {
        return Err(format!("not an HTTP/1.x status line: {status_line:?}"));
    }
    let status = status
        .parse()
        .map_err(|_| format!("bad status line {status_line:?}"))?;
    let headers = lines
        .filter(|l| !l.is_empty())
        .filter_map(|l| {
            l.split_once(':')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        })
        .collect();
    Ok(Head { status, headers })
}

async fn sse_client(
    id: usize,
    url: String,
    shared: Rc<Shared>,
    counts: Rc<RefCell<Vec<u64>>>,
    heads: Rc<RefCell<Vec<String>>>,
) {
    let (addr, path) = split_url(&url);
    let mut stream = match TcpStream::connect(&addr).await {
        Ok(s) => s,
        Err(e) => return shared.error(format!("client {id}: connect: {e}")),
    };
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n");
    if let Err(e) = stream.write_all(request.as_bytes()).await {
        return shared.error(format!("client {id}: send: {e}"));
    }
    let mut buf = vec![0u8; 64 * 1024];
    let mut pending: Vec<u8> = Vec::new();
    let head = loop {
        if let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = match parse_head(&pending[..end]) {
                Ok(h) => h,
                Err(e) => return shared.error(format!("client {id}: {e}")),
            };
            pending.drain(..end + 4);
            break head;
        }
        match stream.read(&mut buf).await {
            Ok(0) => return shared.error(format!("client {id}: closed before the response head")),
            Ok(n) => pending.extend_from_slice(&buf[..n]),
            Err(e) => return shared.error(format!("client {id}: read: {e}")),
        }
    };
    let content_type = head.get("content-type").unwrap_or("").to_string();
    if head.status != 200
        || !content_type
            .to_ascii_lowercase()
            .starts_with("text/event-stream")
    {
        return shared.error(format!(
            "client {id}: status {}, content-type {content_type:?}",
            head.status
        ));
    }
    if id == 0 {
        let mut seen = heads.borrow_mut();
        seen.push(format!("HTTP {}", head.status));
        seen.extend(
            head.headers
                .iter()
                .map(|(k, v)| format!("{}: {v}", k.to_ascii_lowercase())),
        );
    }
    let chunked = head
        .get("transfer-encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
    let mut body = if chunked {
        Body::ChunkSize(Vec::new())
    } else {
        Body::Plain
    };
    let mut parser = EventParser::default();
    let mut decoded = Vec::with_capacity(buf.len());
    let mut last: Option<u64> = None;
    let mut failed: Option<String> = None;
    let mut input = pending;
    loop {
        decoded.clear();
        if let Err(e) = body.feed(&input, &mut decoded) {
            return shared.error(format!("client {id}: {e}"));
        }
        parser.feed(&decoded, |data| {
            if failed.is_some() {
                return;
            }
            let Some(seq) = sequence(data) else {
                failed = Some(format!(
                    "event without \"seq\": {:?}",
                    String::from_utf8_lossy(data)
                ));
                return;
            };
            match last {
                None => shared.ready.set(shared.ready.get() + 1),
                Some(prev) if seq != prev + 1 => {
                    failed = Some(format!("event {seq} after {prev}"));
                    return;
                }
                Some(_) => {}
            }
            last = Some(seq);
            if shared.phase.get() == MEASURE {
                shared.counted.set(shared.counted.get() + 1);
                counts.borrow_mut()[id] += 1;
            }
        });
        if let Some(e) = failed {
            return shared.error(format!("client {id}: {e}"));
        }
        if shared.phase.get() == STOP {
            return;
        }
        if matches!(body, Body::Finished) {
            return shared.error(format!("client {id}: the stream ended"));
        }
        match stream.read(&mut buf).await {
            Ok(0) => return shared.error(format!("client {id}: connection closed by the server")),
            Ok(n) => input = buf[..n].to_vec(),
            Err(e) => return shared.error(format!("client {id}: read: {e}")),
        }
    }
}

async fn sse_main(opts: &Options) -> (String, bool) {
    let shared = Rc::new(Shared::default());
    let counts = Rc::new(RefCell::new(vec![0u64; opts.connections]));
    let heads = Rc::new(RefCell::new(Vec::new()));
    let (tasks, seconds, cpu) = drive(&shared, opts, "clients got a first event", |id| {
        sse_client(
            id,
            opts.url.clone(),
            shared.clone(),
            counts.clone(),
            heads.clone(),
        )
    })
    .await;
    // A client blocked in a read is not waited for: it is simply dropped.
    for task in &tasks {
        task.abort();
    }
    let per_client = counts.borrow();
    let head: Vec<String> = heads.borrow().iter().map(|h| json_str(h)).collect();
    let extra = format!(
        "\"per_client_min\":{},\"per_client_max\":{},\"head\":[{}]",
        per_client.iter().min().copied().unwrap_or(0),
        per_client.iter().max().copied().unwrap_or(0),
        head.join(","),
    );
    report(&shared, opts, "sse", seconds, cpu, &extra)
}

fn main() {
    let opts = parse_options();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let local = tokio::task::LocalSet::new();
    let (report, ok) = local.block_on(&runtime, async {
        if opts.mode == "ws" {
            ws_main(&opts).await
        } else {
            sse_main(&opts).await
        }
    });
    say(&report);
    std::process::exit(if ok { 0 } else { 1 });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_bodies_decode_across_reads() {
        let mut body = Body::ChunkSize(Vec::new());
        let mut out = Vec::new();
        for piece in [&b"5\r\nhel"[..], b"lo\r\n3;x=1\r", b"\nabc\r\n0\r\n"] {
            body.feed(piece, &mut out).unwrap();
        }
        assert_eq!(out, b"helloabc");
        assert!(matches!(body, Body::Finished));
    }

    #[test]
    fn events_split_on_any_line_ending() {
        let mut parser = EventParser::default();
        let mut seen = Vec::new();
        parser.feed(
            b"data: {\"seq\": 1}\r\n\r\n: ping\n\nid: 2\ndata:{\"seq\":2}\r\rdata: a\ndata: b\n\n",
            |d| seen.push(String::from_utf8(d.to_vec()).unwrap()),
        );
        assert_eq!(seen, vec!["{\"seq\": 1}", "{\"seq\":2}", "a\nb"]);
        assert_eq!(sequence(seen[0].as_bytes()), Some(1));
        assert_eq!(sequence(b"{\"topic\":\"t\",\"seq\" : 42}"), Some(42));
        assert_eq!(sequence(b"{\"n\":1}"), None);
    }
}
