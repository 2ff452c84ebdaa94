//! `PLANPUB_TIMINGS=1`: the time of each pipeline stage, printed as the
//! library's hooks report the stages (the library never reads the clock
//! or prints). Also where the binary hands memory back to its allocator
//! between stages.

use planpub::pipeline::{Hooks, Stage};
use std::sync::Mutex;
use std::time::Instant;

/// The binary's [`Hooks`]: timings when asked for, and `mi_collect` once
/// linking is done.
pub struct BinaryHooks {
    /// Whether `PLANPUB_TIMINGS` is set.
    enabled: bool,
    /// The stages under way: when each started, and the CPU time then.
    started: Mutex<Vec<(Stage, Instant, Option<f64>)>>,
}

impl BinaryHooks {
    /// Hooks that time the stages if `PLANPUB_TIMINGS` is set.
    pub fn from_env() -> Self {
        BinaryHooks {
            enabled: std::env::var_os("PLANPUB_TIMINGS").is_some(),
            started: Mutex::new(Vec::new()),
        }
    }
}

impl Hooks for BinaryHooks {
    fn stage_started(&self, stage: Stage) {
        if self.enabled {
            let mut started = self.started.lock().expect("timings lock");
            started.push((stage, Instant::now(), process_cpu_seconds()));
        }
    }

    fn stage_finished(&self, stage: Stage) {
        if stage == Stage::Link {
            // mimalloc keeps freed pages for a while: hand back what
            // loading and validating freed before rendering allocates its
            // own (otherwise both count in the peak).
            // SAFETY: no arguments but a flag; harmless when mimalloc is
            // not the global allocator (its heaps are then empty).
            unsafe { libmimalloc_sys::mi_collect(true) };
        }
        if !self.enabled {
            return;
        }
        let mut started = self.started.lock().expect("timings lock");
        let Some(at) = started.iter().rposition(|(s, _, _)| *s == stage) else {
            return;
        };
        let (_, wall, cpu) = started.remove(at);
        let cpu = cpu.zip(process_cpu_seconds()).map(|(a, b)| b - a);
        eprintln!(
            "{}",
            timing_line(stage.name(), wall.elapsed().as_secs_f64(), cpu)
        );
    }
}

/// User + system CPU time of the whole process so far, in seconds (all
/// threads): with the wall time, how well a stage uses the cores. `None`
/// where the platform gives no such figure; the timings then show wall
/// time only.
#[cfg(unix)]
fn process_cpu_seconds() -> Option<f64> {
    // SAFETY: getrusage only writes into the struct we pass.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return None;
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    Some(secs(usage.ru_utime) + secs(usage.ru_stime))
}

/// Windows: `GetProcessTimes` (kernel32), declared here rather than
/// through a bindings crate for this one call.
#[cfg(windows)]
fn process_cpu_seconds() -> Option<f64> {
    #[repr(C)]
    #[derive(Default)]
    struct FileTime {
        low: u32,
        high: u32,
    }
    #[link(name = "kernel32")]
    unsafe extern "system" {
        fn GetCurrentProcess() -> *mut std::ffi::c_void;
        fn GetProcessTimes(
            process: *mut std::ffi::c_void,
            creation: *mut FileTime,
            exit: *mut FileTime,
            kernel: *mut FileTime,
            user: *mut FileTime,
        ) -> i32;
    }
    let [mut creation, mut exit, mut kernel, mut user] = Default::default();
    // SAFETY: GetCurrentProcess returns a pseudo-handle that needs no
    // closing; GetProcessTimes only writes into the four structs we pass.
    let ok = unsafe {
        GetProcessTimes(
            GetCurrentProcess(),
            &mut creation,
            &mut exit,
            &mut kernel,
            &mut user,
        )
    };
    // FILETIME counts 100 ns ticks.
    let secs = |t: FileTime| ((u64::from(t.high) << 32) | u64::from(t.low)) as f64 / 1e7;
    (ok != 0).then(|| secs(kernel) + secs(user))
}

#[cfg(not(any(unix, windows)))]
fn process_cpu_seconds() -> Option<f64> {
    None
}

/// One line of `PLANPUB_TIMINGS` output: the CPU figure only when both
/// readings exist.
fn timing_line(stage: &str, wall_seconds: f64, cpu_seconds: Option<f64>) -> String {
    let wall = format!("timing: {stage:<10} {:>8.1} ms", wall_seconds * 1000.0);
    match cpu_seconds {
        Some(cpu) => format!("{wall}  (CPU {:>8.1} ms)", cpu * 1000.0),
        None => wall,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn process_cpu_time_is_measured_and_grows() {
        // Linux, macOS and Windows all give the figure (issue #17: Windows
        // reads it through GetProcessTimes; scripts/windows-check runs this
        // build's timings under wine).
        let before = process_cpu_seconds().expect("CPU time on this platform");
        let mut x = 0u64;
        let spin = std::time::Instant::now();
        while spin.elapsed() < std::time::Duration::from_millis(50) {
            x = std::hint::black_box(x.wrapping_add(1));
        }
        assert!(
            process_cpu_seconds().unwrap() > before,
            "CPU time grew ({x})"
        );
    }

    #[test]
    fn timing_line_shows_cpu_only_when_measured() {
        assert_eq!(
            timing_line("render", 0.0125, Some(0.025)),
            "timing: render         12.5 ms  (CPU     25.0 ms)"
        );
        assert_eq!(
            timing_line("render", 0.0125, None),
            "timing: render         12.5 ms"
        );
    }
}
