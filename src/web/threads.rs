//! The threaded CPU module's pool of threads: rayon's global pool, whose first thread is the
//! compute worker itself and whose others are web workers sharing the module's memory.
//!
//! The compute worker joins the pool rather than handing work to it (rayon's
//! `use_current_thread`): work handed in from outside the pool wakes a pool thread and puts the
//! caller to sleep until it is done, two thread switches for every shared matrix product,
//! which in a browser cost more than the products saved (the same as natively, see
//! `backend::on_cpu_threads`, only worse). From inside, the caller takes a share itself and the
//! others steal the rest.
//!
//! How the page starts it (`www/worker/pool.js`): [`thread_pool_parts`] gives the compiled
//! module and its shared memory to `n - 1` new workers, each of which instantiates the module
//! on that memory and calls [`join_thread_pool`]; then the compute worker calls
//! [`start_thread_pool`].

use super::OrJs;
use rayon::{ThreadBuilder, ThreadPoolBuilder};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{LazyLock, Mutex};
use wasm_bindgen::prelude::*;

/// The pool's threads that wait for a worker to run them: made by [`start_thread_pool`], taken
/// by [`join_thread_pool`].
struct Waiting {
    made: Mutex<Sender<ThreadBuilder>>,
    taken: Mutex<Receiver<ThreadBuilder>>,
}

static WAITING: LazyLock<Waiting> = LazyLock::new(|| {
    let (made, taken) = channel();
    Waiting {
        made: Mutex::new(made),
        taken: Mutex::new(taken),
    }
});

/// The most threads a pool may have (more than any browser reports as its cores).
const MAX_THREADS: usize = 256;

/// `[module, memory]`: what a worker needs to instantiate this module on the same memory.
#[wasm_bindgen(js_name = threadPoolParts)]
pub fn thread_pool_parts() -> js_sys::Array {
    js_sys::Array::of2(&wasm_bindgen::module(), &wasm_bindgen::memory())
}

/// Makes rayon's global pool of `threads` threads, the calling one (the compute worker) the
/// first; the others start as workers call [`join_thread_pool`]. Once per module.
#[wasm_bindgen(js_name = startThreadPool)]
pub fn start_thread_pool(threads: f64) -> Result<(), JsError> {
    let threads = crate::check::whole("the number of threads", threads, 1, MAX_THREADS).js()?;
    ThreadPoolBuilder::new()
        .num_threads(threads)
        .use_current_thread()
        .spawn_handler(|thread| {
            let sender = WAITING.made.lock().expect("no thread panics holding it");
            let closed = |_| std::io::Error::other("the queue of waiting threads was closed");
            sender.send(thread).map_err(closed)
        })
        .build_global()
        .map_err(|e| JsError::new(&format!("the pool of threads could not start: {e}")))
}

/// Runs one of the pool's threads on the calling worker, for as long as the pool lives (this
/// call does not return). Blocks until [`start_thread_pool`] has made the thread.
#[wasm_bindgen(js_name = joinThreadPool)]
pub fn join_thread_pool() {
    let thread = WAITING
        .taken
        .lock()
        .expect("no thread panics holding it")
        .recv();
    if let Ok(thread) = thread {
        thread.run();
    }
}
