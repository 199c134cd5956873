//! What a topic requires before a platform delivers it.

/// The scopes (permissions) a topic needs, exactly as far as the platform documents them.
///
/// "None needed", "none listed" and "not documented" are different facts: the first is a
/// documented absence, the second a page that documents the topic but names no scope, the
/// third a platform whose documentation says nothing about scopes at all.
#[derive(Debug, PartialEq, Eq, Hash)]
pub enum ScopeRequirement<S: 'static> {
    /// The documentation says no permission is needed.
    NoneNeeded,
    /// The topic is documented, but no scope is listed for it.
    NoneListed,
    /// The documentation says nothing about the scopes of this topic.
    NotDocumented,
    /// Exactly one scope is needed.
    One(&'static S),
    /// Several scopes are listed and the platform documents that any one of them suffices.
    AnyOf(&'static [S]),
    /// Several scopes are listed and the platform documents that all of them are needed.
    AllOf(&'static [S]),
    /// Several scopes are listed and nowhere is it said how they combine.
    Unstated(&'static [S]),
}

// Written out rather than derived: a derive would require `S: Copy`, but the variants only
// hold references, so the requirement is `Copy` whatever the scope type is.
impl<S> Clone for ScopeRequirement<S> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S> Copy for ScopeRequirement<S> {}

impl<S> ScopeRequirement<S> {
    /// The scopes named, in documentation order; empty when none are named.
    pub fn scopes(&self) -> &'static [S] {
        match *self {
            Self::NoneNeeded | Self::NoneListed | Self::NotDocumented => &[],
            Self::One(scope) => std::slice::from_ref(scope),
            Self::AnyOf(scopes) | Self::AllOf(scopes) | Self::Unstated(scopes) => scopes,
        }
    }

    /// Whether an app holding the scopes for which `granted` returns `true` receives the
    /// topic, or `None` when the documentation does not allow an answer (`NoneListed`,
    /// `NotDocumented`, `Unstated` that is neither fully granted nor fully missing).
    pub fn is_satisfied_by(&self, mut granted: impl FnMut(&S) -> bool) -> Option<bool> {
        match *self {
            Self::NoneNeeded => Some(true),
            Self::NoneListed | Self::NotDocumented => None,
            Self::One(scope) => Some(granted(scope)),
            Self::AnyOf(scopes) => Some(scopes.iter().any(granted)),
            Self::AllOf(scopes) => Some(scopes.iter().all(granted)),
            Self::Unstated(scopes) => {
                let held = scopes.iter().filter(|scope| granted(scope)).count();
                match held {
                    0 => Some(false),
                    n if n == scopes.len() => Some(true),
                    _ => None,
                }
            }
        }
    }
}

/// How the catalog states it: `none needed`, `none listed`, `not documented`, `orders`,
/// `any of orders, customers`, `all of …`, `… (combination not documented)`.
impl<S: std::fmt::Display> std::fmt::Display for ScopeRequirement<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |scopes: &[S]| scopes.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
        match self {
            Self::NoneNeeded => f.write_str("none needed"),
            Self::NoneListed => f.write_str("none listed"),
            Self::NotDocumented => f.write_str("not documented"),
            Self::One(scope) => write!(f, "{scope}"),
            Self::AnyOf(scopes) => write!(f, "any of {}", list(scopes)),
            Self::AllOf(scopes) => write!(f, "all of {}", list(scopes)),
            Self::Unstated(scopes) => write!(f, "{} (combination not documented)", list(scopes)),
        }
    }
}
