//! Two names for the three ways the crate is built, so the code says what it means instead of
//! repeating target tests:
//!
//! - `threads`: the CPU backend shares its work among threads (rayon): natively, and in the
//!   threaded WebAssembly module (`+atomics`, scripts/build-threads.sh);
//! - `webgpu`: the page's module, with burn on WebGPU (wasm without atomics: cubecl's WebGPU
//!   runtime cannot be built with them).

fn main() {
    // The names depend on the target alone (its features come with RUSTFLAGS, which cargo
    // already watches): no file of the package makes this run again but this one.
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rustc-check-cfg=cfg(threads, webgpu)");
    let wasm =
        std::env::var("CARGO_CFG_TARGET_FAMILY").is_ok_and(|f| f.split(',').any(|f| f == "wasm"));
    let atomics = std::env::var("CARGO_CFG_TARGET_FEATURE")
        .is_ok_and(|features| features.split(',').any(|f| f == "atomics"));
    if !wasm || atomics {
        println!("cargo::rustc-cfg=threads");
    }
    if wasm && !atomics {
        println!("cargo::rustc-cfg=webgpu");
    }
}
