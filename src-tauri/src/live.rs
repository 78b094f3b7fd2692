//! The live queue of a team workspace (issue 17): a background thread that waits for what any
//! desktop writes to the workspace and tells the UI, which then asks again for what it shows.
//!
//! The thread has its own connection (the service's [`ChangeWatcher`], LISTEN/NOTIFY) and never
//! touches the app's workspace lock, so it waits without holding up a command. A payment run
//! writes thousands of times: [`Debounce`] turns that into at most a few [`LiveEvent::Changed`]
//! a second. When the connection fails the thread says [`LiveEvent::Lost`], tries again every
//! second, and on success says [`LiveEvent::Restored`] (notifications sent meanwhile are lost, so
//! the UI re-reads everything) and asks the app to reopen its own connection to the workspace.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use countersign_service::{ChangeWatcher, DatabaseUrl, ServiceResult};
use serde::Serialize;
use tauri::ipc::Channel;
use ts_rs::TS;

/// What the live queue tells the UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LiveEvent {
    /// Someone (on any desktop) wrote to the workspace: ask again for what is shown.
    Changed,
    /// The connection to the server is lost; the app keeps trying to reconnect.
    Lost,
    /// Connected again after a loss: what happened meanwhile was not heard, so ask again for
    /// everything shown.
    Restored,
}

/// The shortest time between two [`LiveEvent::Changed`]: at most four refreshes a second.
pub const DEBOUNCE: Duration = Duration::from_millis(250);
/// How long to wait before connecting again after an error.
pub const RETRY: Duration = Duration::from_secs(1);
/// How long one wait for a notification lasts when nothing is pending (how soon a stop is seen).
const IDLE_WAIT: Duration = Duration::from_millis(500);

/// Coalesces a burst of notifications: the first is told at once, the rest of a burst once
/// `interval` after the last telling.
#[derive(Debug)]
pub struct Debounce {
    interval: Duration,
    last: Option<Instant>,
    pending: bool,
}

impl Debounce {
    /// Nothing pending, nothing told yet.
    pub fn new(interval: Duration) -> Self {
        Debounce { interval, last: None, pending: false }
    }

    /// A notification arrived.
    pub fn changed(&mut self) {
        self.pending = true;
    }

    /// Whether to tell the UI now: something is pending and the last telling is at least
    /// `interval` old. A `true` counts as the telling.
    pub fn due(&mut self, now: Instant) -> bool {
        let quiet = self.last.is_none_or(|last| now.saturating_duration_since(last) >= self.interval);
        if self.pending && quiet {
            self.pending = false;
            self.last = Some(now);
            return true;
        }
        false
    }

    /// How long to wait for the next notification before asking [`Debounce::due`] again:
    /// until the interval ends when something is pending, `idle` otherwise.
    pub fn wait(&self, now: Instant, idle: Duration) -> Duration {
        match (self.pending, self.last) {
            (true, Some(last)) => self.interval.saturating_sub(now.saturating_duration_since(last)),
            (true, None) => Duration::ZERO,
            (false, _) => idle,
        }
    }
}

/// Where the thread's events go: the UI's channel, once it registered one (`watch_workspace`).
#[derive(Clone, Default)]
pub(crate) struct Sink(Arc<Mutex<Option<Channel<LiveEvent>>>>);

impl Sink {
    /// Replaces the UI's channel.
    pub fn set(&self, channel: Channel<LiveEvent>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(channel);
    }

    /// Tells the UI, if it listens.
    pub fn send(&self, event: LiveEvent) {
        if let Some(channel) = self.0.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
            let _ = channel.send(event);
        }
    }
}

/// The running thread; dropping it stops the thread (within a wait or a connection attempt).
pub(crate) struct LiveWatch {
    /// The workspace watched, as shown (no password).
    pub server: String,
    stop: Arc<AtomicBool>,
}

impl Drop for LiveWatch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Starts watching the workspace at `url` on a thread of its own: events go to `sink`, and
/// `reopen` is set whenever the connection came back after a loss.
pub(crate) fn start(url: DatabaseUrl, sink: Sink, reopen: Arc<AtomicBool>) -> LiveWatch {
    let stop = Arc::new(AtomicBool::new(false));
    let server = url.to_string();
    let thread_stop = stop.clone();
    std::thread::Builder::new()
        .name("countersign-live".into())
        .spawn(move || watch(|| ChangeWatcher::connect(&url), &|e| sink.send(e), &reopen, &thread_stop))
        .expect("a thread for the live queue");
    LiveWatch { server, stop }
}

/// What [`watch`] waits on: the service's [`ChangeWatcher`], or a test's stand-in.
pub(crate) trait Waiter {
    /// Waits up to `timeout`; true when the workspace was written to.
    fn wait(&mut self, timeout: Duration) -> ServiceResult<bool>;
}

impl Waiter for ChangeWatcher {
    fn wait(&mut self, timeout: Duration) -> ServiceResult<bool> {
        ChangeWatcher::wait(self, timeout)
    }
}

/// The thread's loop, until `stop`: connect, wait, tell (debounced); after an error, tell that the
/// connection is lost, wait [`RETRY`], connect again, then tell it is restored and set `reopen`.
pub(crate) fn watch<W: Waiter>(
    mut connect: impl FnMut() -> ServiceResult<W>,
    emit: &dyn Fn(LiveEvent),
    reopen: &AtomicBool,
    stop: &AtomicBool,
) {
    let mut debounce = Debounce::new(DEBOUNCE);
    let mut waiter: Option<W> = None;
    let mut lost = false;
    while !stop.load(Ordering::Relaxed) {
        let Some(current) = waiter.as_mut() else {
            match connect() {
                Ok(connected) => {
                    waiter = Some(connected);
                    if std::mem::take(&mut lost) {
                        reopen.store(true, Ordering::SeqCst);
                        emit(LiveEvent::Restored);
                    }
                }
                Err(_) => {
                    if !std::mem::replace(&mut lost, true) {
                        emit(LiveEvent::Lost);
                    }
                    pause(RETRY, stop);
                }
            }
            continue;
        };
        match current.wait(debounce.wait(Instant::now(), IDLE_WAIT)) {
            Ok(true) => debounce.changed(),
            Ok(false) => {}
            Err(_) => {
                waiter = None;
                lost = true;
                emit(LiveEvent::Lost);
                pause(RETRY, stop);
                continue;
            }
        }
        if debounce.due(Instant::now()) {
            emit(LiveEvent::Changed);
        }
    }
}

/// Sleeps `total`, in short steps so that a stop is seen soon.
fn pause(total: Duration, stop: &AtomicBool) {
    let end = Instant::now() + total;
    while !stop.load(Ordering::Relaxed) && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(50).min(end.saturating_duration_since(Instant::now())));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use countersign_service::ServiceError;
    use std::collections::VecDeque;

    #[test]
    fn a_burst_of_notifications_is_told_once_at_once_then_once_per_interval() {
        let start = Instant::now();
        let ms = |n: u64| start + Duration::from_millis(n);
        let mut d = Debounce::new(Duration::from_millis(250));
        assert!(!d.due(ms(0)), "nothing pending");
        assert_eq!(d.wait(ms(0), IDLE_WAIT), IDLE_WAIT);
        d.changed();
        assert_eq!(d.wait(ms(0), IDLE_WAIT), Duration::ZERO, "the first of a burst is told at once");
        assert!(d.due(ms(0)));
        // A thousand writes within the interval: held back, then told once.
        for _ in 0..1000 {
            d.changed();
        }
        assert!(!d.due(ms(100)));
        assert_eq!(d.wait(ms(100), IDLE_WAIT), Duration::from_millis(150));
        assert!(d.due(ms(250)));
        assert!(!d.due(ms(251)), "told, nothing pending");
        assert_eq!(d.wait(ms(300), IDLE_WAIT), IDLE_WAIT);
    }

    /// A stand-in for the server: each wait answers the next scripted result.
    struct Script(Arc<Mutex<VecDeque<ServiceResult<bool>>>>, Arc<AtomicBool>);

    impl Waiter for Script {
        fn wait(&mut self, _timeout: Duration) -> ServiceResult<bool> {
            let next = self.0.lock().unwrap().pop_front();
            next.unwrap_or_else(|| {
                self.1.store(true, Ordering::Relaxed);
                Ok(false)
            })
        }
    }

    fn lost() -> ServiceError {
        ServiceError::InvalidInput("connection closed".into())
    }

    #[test]
    fn after_a_lost_connection_it_reconnects_says_so_and_asks_for_a_reopen() {
        let stop = Arc::new(AtomicBool::new(false));
        let waits = Arc::new(Mutex::new(VecDeque::from([Ok(true), Ok(false), Err(lost()), Ok(true)])));
        // The first connect works, the second fails (the server is still down), the third works.
        let mut connects = VecDeque::from([true, false, true]);
        let events = Mutex::new(Vec::new());
        let reopen = AtomicBool::new(false);
        let started = Instant::now();
        watch(
            || if connects.pop_front().unwrap_or(true) { Ok(Script(waits.clone(), stop.clone())) } else { Err(lost()) },
            &|e| events.lock().unwrap().push(e),
            &reopen,
            &stop,
        );
        let events = events.into_inner().unwrap();
        assert_eq!(events, [LiveEvent::Changed, LiveEvent::Lost, LiveEvent::Restored, LiveEvent::Changed]);
        assert!(reopen.load(Ordering::SeqCst), "the app's own connection is reopened");
        assert!(started.elapsed() >= RETRY * 2, "waited a second after each error: {:?}", started.elapsed());
    }

    #[test]
    fn a_server_down_from_the_start_is_told_once_until_it_comes() {
        let stop = Arc::new(AtomicBool::new(false));
        let waits = Arc::new(Mutex::new(VecDeque::new()));
        let mut connects = VecDeque::from([false, false]);
        let events = Mutex::new(Vec::new());
        let reopen = AtomicBool::new(false);
        watch(
            || if connects.pop_front().unwrap_or(true) { Ok(Script(waits.clone(), stop.clone())) } else { Err(lost()) },
            &|e| events.lock().unwrap().push(e),
            &reopen,
            &stop,
        );
        assert_eq!(events.into_inner().unwrap(), [LiveEvent::Lost, LiveEvent::Restored]);
    }
}
