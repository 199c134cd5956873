//! Subscription matching: the documented groups, user patterns, and agreement between the
//! compiled bit set and plain string matching over every topic.

use commerce_webhooks::{bigcommerce, shopify, shopware, CatalogTopic, Pattern, Subscription};
use commerce_webhooks_tests::model;

fn covered<T: CatalogTopic>(patterns: &[&str]) -> Vec<&'static str> {
    Subscription::<T>::new(patterns).unwrap().topics().map(|t| t.as_str()).collect()
}

#[test]
fn every_documented_group_covers_what_the_generator_computed() {
    let model = model();
    let platform = model.platforms.iter().find(|p| p.id == "bigcommerce").unwrap();
    assert_eq!(bigcommerce::GROUPS.len(), platform.groups.len());
    for (group, expected) in bigcommerce::GROUPS.iter().zip(&platform.groups) {
        let generator: Vec<&str> = expected.events.iter().map(|&i| platform.events[i].topic.as_str()).collect();
        assert_eq!(covered::<bigcommerce::Topic>(&[group.pattern]), generator, "{}", group.pattern);
        assert!(!generator.is_empty());
    }
}

#[test]
fn bigcommerce_groups_cover_deeper_paths() {
    let cart = bigcommerce::Subscription::new(["store/cart/*"]).unwrap();
    for nested in ["store/cart/lineItem/created", "store/cart/lineItem/updated", "store/cart/lineItem/deleted"] {
        assert!(cart.covers(&nested.parse().unwrap()), "store/cart/* must cover {nested}");
    }
    assert!(cart.covers(&bigcommerce::Topic::StoreCartConverted));
    assert!(!cart.covers(&bigcommerce::Topic::StoreOrderCreated));
    let line_items = covered::<bigcommerce::Topic>(&["store/cart/lineItem/*"]);
    assert_eq!(
        line_items,
        ["store/cart/lineItem/created", "store/cart/lineItem/updated", "store/cart/lineItem/deleted"]
    );
    let customer = covered::<bigcommerce::Topic>(&["store/customer/*"]);
    assert!(customer.contains(&"store/customer/address/created"));
    assert!(customer.contains(&"store/customer/payment/instrument/default/updated"));
}

#[test]
fn no_documented_group_covers_the_app_and_store_topics() {
    let groups: Vec<&str> = bigcommerce::GROUPS.iter().map(|g| g.pattern).collect();
    let all = bigcommerce::Subscription::new(&groups).unwrap();
    let uncovered: Vec<&str> = bigcommerce::Topic::ALL.iter().filter(|t| !all.covers(t)).map(|t| t.as_str()).collect();
    // The main page's two, then the newer reference's topics outside every documented group.
    let newer = [
        "store/hook/deliveryException",
        "store/modifier/updated",
        "store/option/updated",
        "store/priceList/created",
        "store/priceList/updated",
        "store/priceList/activated",
        "store/priceList/deactivated",
        "store/priceList/deleted",
        "store/priceLists/deleted",
        "store/priceList/record/created",
        "store/priceList/record/updated",
        "store/priceList/record/deleted",
        "store/priceList/records/created",
        "store/priceList/records/updated",
        "store/priceList/records/deleted",
        "store/priceList/assignment/updated",
        "store/priceList/assignment/deleted",
        "store/inventory/location/created",
        "store/inventory/location/updated",
        "store/company/created",
        "store/company/updated",
        "store/company/deleted",
        "store/company/statusUpdated",
        "store/company/superadmin/assignmentUpdated",
        "store/company/user/created",
        "store/company/user/updated",
        "store/company/user/deleted",
        "store/company/address/created",
        "store/company/address/updated",
        "store/company/address/deleted",
        "store/superadmin/created",
        "store/superadmin/updated",
        "store/superadmin/deleted",
        "store/superadmin/assignmentUpdated",
        "store/quote/created",
        "store/quote/updated",
        "store/quote/statusUpdated",
        "store/quote/deleted",
    ];
    let expected: Vec<&str> = ["store/app/uninstalled", "store/information/updated"].into_iter().chain(newer).collect();
    assert_eq!(uncovered, expected);
}

#[test]
fn user_patterns_cover_prefixes_exact_topics_and_everything() {
    let orders = covered::<shopify::Topic>(&["orders/*"]);
    let expected: Vec<&str> =
        shopify::Topic::ALL.iter().map(|t| t.as_str()).filter(|t| t.starts_with("orders/")).collect();
    assert_eq!(orders, expected);
    assert!(orders.contains(&"orders/create"));
    assert_eq!(covered::<shopify::Topic>(&["*"]).len(), shopify::Topic::ALL.len());
    assert_eq!(covered::<shopify::Topic>(&["customer.tags_added"]), ["customer.tags_added"]);
    let dotted = covered::<shopify::Topic>(&["customer.*"]);
    assert!(dotted.contains(&"customer.tags_added") && !dotted.contains(&"customers/create"));
    let checkout = covered::<shopware::Topic>(&["checkout.order.*"]);
    assert!(checkout.contains(&"checkout.order.placed"));
}

#[test]
fn unknown_topics_are_matched_by_their_name() {
    let subscription = shopify::Subscription::new(["orders/*", "shop/redact"]).unwrap();
    assert!(subscription.covers(&"orders/teleported".parse().unwrap()));
    assert!(!subscription.covers(&"products/teleported".parse().unwrap()));
    assert!(!subscription.covers(&"orders".parse().unwrap()));
    assert!(subscription.covers(&shopify::Topic::ShopRedact));
}

#[test]
fn bad_patterns_are_errors_that_say_why() {
    for bad in ["", "orders*", "orders/*/create", "*orders", "orders /*"] {
        let error = shopify::Subscription::new([bad]).unwrap_err();
        assert!(error.to_string().contains(&format!("`{bad}`")), "{error}");
    }
    // A separator of another platform is not a separator here.
    assert!(shopware::Subscription::new(["checkout/*"]).is_err());
}

/// Every prefix pattern that can be formed from a real topic, checked with the compiled set
/// against a plain string test on every topic.
#[test]
fn compiled_sets_agree_with_string_matching_for_every_prefix() {
    fn check<T: CatalogTopic>() {
        for topic in T::ALL {
            let wire = topic.as_str();
            for (at, separator) in wire.char_indices().filter(|(_, c)| T::SEPARATORS.contains(c)) {
                let pattern = format!("{}{separator}*", &wire[..at]);
                let parsed = Pattern::parse(&pattern, T::SEPARATORS).unwrap();
                let subscription = Subscription::<T>::new([&pattern]).unwrap();
                let prefix = &pattern[..pattern.len() - 1];
                for other in T::ALL {
                    // A catalog template is covered when some value of it is.
                    let expected = match other.template() {
                        Some(_) => parsed.covers_template(other.as_str()),
                        None => parsed.matches(other.as_str()),
                    };
                    assert_eq!(subscription.covers(other), expected, "{pattern} vs {other}");
                    // A prefix with a wildcard segment (`store/channel/{channel_id}/*`) is no plain prefix.
                    if !prefix.contains(['{', '*']) {
                        assert_eq!(parsed.matches(other.as_str()), other.as_str().starts_with(prefix));
                    }
                }
            }
        }
    }
    check::<shopify::Topic>();
    check::<bigcommerce::Topic>();
    check::<shopware::Topic>();
    check::<commerce_webhooks::ecwid::Topic>();
}

/// A pattern that covers no documented topic is a mistake until the caller says otherwise, and
/// a covered topic says whether the catalog knows it.
#[test]
fn subscriptions_catch_patterns_that_cover_nothing() {
    use commerce_webhooks::Coverage;
    let error = shopify::Subscription::new(["orders/*", "orders/craete"]).unwrap_err();
    assert_eq!(error.pattern, "orders/craete");
    assert!(error.reason.contains("did you mean `orders/create`?"), "{error}");
    let error = bigcommerce::Subscription::new(["store/teleport/*"]).unwrap_err();
    assert!(!error.reason.contains("did you mean"), "nothing is close: {error}");

    let subscription = shopify::Subscription::allowing_unknown(["orders/*"]).unwrap();
    assert_eq!(subscription.coverage(&shopify::Topic::OrdersCreate), Coverage::Known);
    assert_eq!(subscription.coverage(&"orders/teleported".parse().unwrap()), Coverage::Unknown);
    assert_eq!(subscription.coverage(&shopify::Topic::ProductsCreate), Coverage::Not);
}
