//! Browser tests, run by `wasm-bindgen-test-runner` in headless Chromium with WebGPU
//! (SwiftShader on a machine without a GPU; see README.md): burn on WebGPU (`backend`), the
//! exported `Playground` (`playground`, and bad or cancelled calls in `playground_input`) and `ImageStudio` (`images`). One test binary, because each is linked with
//! link-time optimisation over all of burn (minutes on two cores).
//!
//! They run in a dedicated worker (where WebGPU is available too): on SwiftShader the first
//! training and sampling calls compile burn's kernels for tens of seconds, which on the main
//! thread would stall the page past the test driver's 30-second patience.
#![cfg(target_family = "wasm")]

use wasm_bindgen_test::wasm_bindgen_test_configure;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

#[path = "web/backend.rs"]
mod backend;
#[path = "web/images.rs"]
mod images;
#[path = "web/js.rs"]
mod js;
#[path = "web/playground.rs"]
mod playground;
#[path = "web/playground_input.rs"]
mod playground_input;
