//! Heap held by a decoded body, and the allocations made to decode it, through a counting
//! global allocator: the crate's typed decode (`shopify::Event::from_delivery`) against the
//! plain serde-derive structs of `baseline.rs` and `serde_json::Value`, for every Shopify body
//! of the instruction-count bench.
//!
//! `cargo bench -p commerce-webhooks-benches --bench memory` prints one table. Counts are
//! exact (requested sizes, not the allocator's rounded ones) and do not depend on the machine.
//! "held" is the heap still allocated while the decoded value is alive, plus the value's own
//! inline size (`size_of`), since one decoder may box what another keeps inline.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

use commerce_webhooks::shopify;
use commerce_webhooks_benches::{baseline, SHOPIFY_BODIES};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static ALLOCATED: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to `System` unchanged; only counters are updated beside it.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Relaxed);
        ALLOCATIONS.fetch_add(1, Relaxed);
        ALLOCATED.fetch_add(layout.size(), Relaxed);
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Relaxed);
        LIVE.fetch_sub(layout.size(), Relaxed);
        ALLOCATIONS.fetch_add(1, Relaxed);
        ALLOCATED.fetch_add(new_size, Relaxed);
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// What decoding one body cost: allocations (realloc counts as one), bytes requested, and
/// bytes held by the result (heap plus its inline size).
#[derive(Debug, Clone, Copy)]
struct Cost {
    allocations: usize,
    allocated: usize,
    held: usize,
}

fn measure<T>(decode: impl Fn() -> T) -> Cost {
    drop(decode()); // one-time costs out of the way
    let (live, allocations, allocated) = (LIVE.load(Relaxed), ALLOCATIONS.load(Relaxed), ALLOCATED.load(Relaxed));
    let value = black_box(decode());
    let cost = Cost {
        allocations: ALLOCATIONS.load(Relaxed) - allocations,
        allocated: ALLOCATED.load(Relaxed) - allocated,
        held: LIVE.load(Relaxed) - live + std::mem::size_of::<T>(),
    };
    drop(value);
    cost
}

/// The derive baseline of `name`, decoded and kept (not dropped, unlike `ShopifyBody::derive`).
fn derive_cost(name: &str, body: &[u8]) -> Cost {
    macro_rules! by_name {
        ($($name:literal => $ty:ident),* $(,)?) => {
            match name {
                $($name => measure(|| serde_json::from_slice::<baseline::$ty>(body).expect("derive baseline")),)*
                other => panic!("no baseline for {other}"),
            }
        };
    }
    by_name! {
        "orders_create" => OrdersCreate,
        "refunds_create" => RefundsCreate,
        "products_update" => ProductsUpdate,
        "customers_create" => CustomersCreate,
        "themes_delete" => ThemesDelete,
        "real_orders_create" => RealOrdersCreate,
        "real_orders_cancelled" => RealOrdersCancelled,
        "real_refunds_create" => RealRefundsCreate,
        "real_products_update" => RealProductsUpdate,
        "real_customers_create" => RealCustomersCreate,
        "real_inventory_levels_update" => RealInventoryLevelsUpdate,
    }
}

fn main() {
    // `cargo test` runs harness-less bench targets only when asked; `--bench` passes `--bench`.
    println!(
        "{:<30} {:>7} | {:>9} {:>9} {:>9} | {:>7} {:>7} {:>7} | {:>6} {:>6}",
        "body", "bytes", "typed B", "derive B", "Value B", "typed#", "derive#", "Value#", "B t/d", "# t/d"
    );
    for body in SHOPIFY_BODIES {
        let typed = measure(|| shopify::Event::from_delivery(body.topic, body.body).expect("typed decode"));
        let derive = derive_cost(body.name, body.body);
        let value = measure(|| serde_json::from_slice::<serde_json::Value>(body.body).expect("JSON"));
        println!(
            "{:<30} {:>7} | {:>9} {:>9} {:>9} | {:>7} {:>7} {:>7} | {:>6.2} {:>6.2}",
            body.name,
            body.body.len(),
            typed.held,
            derive.held,
            value.held,
            typed.allocations,
            derive.allocations,
            value.allocations,
            typed.held as f64 / derive.held as f64,
            typed.allocations as f64 / derive.allocations as f64,
        );
        let _ = (typed.allocated, derive.allocated, value.allocated);
    }
    println!("B = bytes held by the decoded value (heap + inline size); # = allocations while decoding");
}
