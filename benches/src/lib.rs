//! Shared fixtures for the `commerce-webhooks` benchmarks (see `BENCHMARKS.md` at the
//! repository root). The benchmarks themselves are in `benches/benches/`.

pub mod baseline;

/// One decode case: a real example body from `catalog/examples/`, the platform it belongs to
/// and the topic it is delivered as.
#[derive(Debug, Clone, Copy)]
pub struct Case {
    /// A short name for reports (`shopify/orders_create`).
    pub name: &'static str,
    /// The catalog platform id.
    pub platform: Platform,
    /// The wire topic.
    pub topic: &'static str,
    /// The body, byte for byte as stored in `catalog/examples/`.
    pub body: &'static [u8],
}

/// The four platforms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    /// Shopify: topic in the `X-Shopify-Topic` header.
    Shopify,
    /// BigCommerce: topic in the body's `scope`.
    BigCommerce,
    /// Shopware: topic in the body's `data.event`.
    Shopware,
    /// Ecwid: topic in the body's `eventType`.
    Ecwid,
}

/// The decode cases of the brief, in report order.
pub const DECODE_CASES: &[Case] = &[
    Case {
        name: "shopify/orders_create",
        platform: Platform::Shopify,
        topic: "orders/create",
        body: include_bytes!("../../catalog/examples/shopify/orders_create.json"),
    },
    Case {
        name: "shopify/products_create",
        platform: Platform::Shopify,
        topic: "products/create",
        body: include_bytes!("../../catalog/examples/shopify/products_create.json"),
    },
    Case {
        name: "bigcommerce/store_order_created",
        platform: Platform::BigCommerce,
        topic: "store/order/created",
        body: include_bytes!("../../catalog/examples/bigcommerce/store_order_created.json"),
    },
    Case {
        name: "shopware/product_written",
        platform: Platform::Shopware,
        topic: "product.written",
        // The largest of the four stored product.written examples.
        body: include_bytes!("../../catalog/examples/shopware/product_written.3.json"),
    },
    Case {
        name: "ecwid/order_created",
        platform: Platform::Ecwid,
        topic: "order.created",
        body: include_bytes!("../../catalog/examples/ecwid/order_created.json"),
    },
];

/// Grows a JSON object body to exactly `target` bytes by adding, before its closing brace,
/// a `"padding"` array of small realistic objects and a final `"pad"` string that makes the
/// length exact. The original fields stay where they are, so the body still decodes as its
/// topic (the new keys land in `extra`).
///
/// # Panics
/// If `body` is not a JSON object, or is already longer than `target` minus a few bytes.
pub fn pad_body(body: &[u8], target: usize) -> Vec<u8> {
    let text = std::str::from_utf8(body).expect("UTF-8 body").trim_end();
    let close = text.rfind('}').expect("a JSON object");
    let head = text[..close].trim_end();
    let mut out = String::with_capacity(target);
    out.push_str(head);
    out.push_str(",\"padding\":[");
    const PAD_TAIL: usize = ",\"pad\":\"\"}".len();
    let mut n = 0;
    loop {
        let item = format!(
            "{}{{\"id\":{},\"sku\":\"SKU-{:05}\",\"title\":\"Item number {}\",\"price\":\"{}.99\",\"qty\":{},\"taxable\":true}}",
            if n == 0 { "" } else { "," },
            1_000_000 + n,
            n,
            n,
            n % 97,
            n % 7 + 1,
        );
        // Keep room for `]`, the `pad` member and the closing brace.
        if out.len() + item.len() + 1 + PAD_TAIL > target {
            break;
        }
        out.push_str(&item);
        n += 1;
    }
    out.push(']');
    let fill = target.checked_sub(out.len() + PAD_TAIL).expect("body already too long to pad");
    out.push_str(",\"pad\":\"");
    out.extend(std::iter::repeat_n('x', fill));
    out.push_str("\"}");
    assert_eq!(out.len(), target);
    serde_json::from_str::<serde_json::Value>(&out).expect("padded body is JSON");
    out.into_bytes()
}

/// A Shopify body the instruction-count bench decodes, with the serde-derive baseline inferred
/// from it (`baseline.rs`, written by `benches/scripts/derive_baseline.py` from the same files).
#[derive(Clone, Copy)]
pub struct ShopifyBody {
    /// The bench id (`orders_create`, `real_orders_create`).
    pub name: &'static str,
    /// The wire topic (the `X-Shopify-Topic` header).
    pub topic: &'static str,
    /// The body, byte for byte as stored in `catalog/examples/`.
    pub body: &'static [u8],
    /// Decodes the body into its baseline struct, or fails.
    pub derive: fn(&[u8]) -> serde_json::Result<()>,
    /// The same, reading the body as this crate does: one UTF-8 check, then `from_str`.
    pub derive_str: fn(&[u8]) -> serde_json::Result<()>,
}

impl std::fmt::Debug for ShopifyBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShopifyBody").field("name", &self.name).field("len", &self.body.len()).finish()
    }
}

macro_rules! shopify_bodies {
    ($($name:literal, $topic:literal, $file:literal => $ty:ident;)*) => {
        /// The Shopify bodies of the decode goals: catalog examples, then real deliveries
        /// (`catalog/examples/real/shopify/`). Keep in step with `SAMPLES` in
        /// `benches/scripts/derive_baseline.py`.
        pub const SHOPIFY_BODIES: &[ShopifyBody] = &[$(
            ShopifyBody {
                name: $name,
                topic: $topic,
                body: include_bytes!(concat!("../../catalog/examples/", $file)),
                // The decoded value is dropped here, inside the measured call.
                derive: |body| serde_json::from_slice::<baseline::$ty>(body).map(|decoded| {
                    std::hint::black_box(decoded);
                }),
                derive_str: |body| {
                    let text = std::str::from_utf8(body).map_err(serde::de::Error::custom)?;
                    serde_json::from_str::<baseline::$ty>(text).map(|decoded| {
                        std::hint::black_box(decoded);
                    })
                },
            },
        )*];
    };
}

shopify_bodies! {
    "orders_create", "orders/create", "shopify/orders_create.json" => OrdersCreate;
    "refunds_create", "refunds/create", "shopify/refunds_create.json" => RefundsCreate;
    "products_update", "products/update", "shopify/products_update.json" => ProductsUpdate;
    "customers_create", "customers/create", "shopify/customers_create.json" => CustomersCreate;
    "themes_delete", "themes/delete", "shopify/themes_delete.json" => ThemesDelete;
    "real_orders_create", "orders/create", "real/shopify/orders_create_triggerdev.json" => RealOrdersCreate;
    "real_orders_cancelled", "orders/cancelled", "real/shopify/orders_cancelled_activepieces.json" => RealOrdersCancelled;
    "real_refunds_create", "refunds/create", "real/shopify/refunds_create_triggerdev.json" => RealRefundsCreate;
    "real_products_update", "products/update", "real/shopify/products_update_activepieces.json" => RealProductsUpdate;
    "real_customers_create", "customers/create", "real/shopify/customers_create_triggerdev.json" => RealCustomersCreate;
    "real_inventory_levels_update", "inventory_levels/update", "real/shopify/inventory_levels_update_triggerdev.json" => RealInventoryLevelsUpdate;
}

/// The `ShopifyBody` named `name`.
///
/// # Panics
/// If there is none.
pub fn shopify_body(name: &str) -> &'static ShopifyBody {
    SHOPIFY_BODIES.iter().find(|b| b.name == name).unwrap_or_else(|| panic!("no Shopify body {name}"))
}
