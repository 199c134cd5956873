//! The catalog's type expressions (`string`, `[LineItem]`, `Callback<CartData>`…), parsed.

use std::fmt;

/// A built-in scalar type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scalar {
    /// `string`
    String,
    /// `bool`
    Bool,
    /// `int`: i64
    Int,
    /// `uint`: u64
    Uint,
    /// `number`: any number, exactly
    Number,
    /// `money`: decimal text or number, as received
    Money,
    /// `timestamp`: date-time text
    Timestamp,
    /// `string_or_number`
    StringOrNumber,
    /// `id`: an identifier, a number or a string
    Id,
    /// `json`: anything
    Json,
}

impl Scalar {
    /// Every scalar with its catalog spelling.
    pub const ALL: [(Scalar, &'static str); 10] = [
        (Scalar::String, "string"),
        (Scalar::Bool, "bool"),
        (Scalar::Int, "int"),
        (Scalar::Uint, "uint"),
        (Scalar::Number, "number"),
        (Scalar::Money, "money"),
        (Scalar::Timestamp, "timestamp"),
        (Scalar::StringOrNumber, "string_or_number"),
        (Scalar::Id, "id"),
        (Scalar::Json, "json"),
    ];

    /// The catalog spelling.
    pub fn name(self) -> &'static str {
        Self::ALL.iter().find(|(s, _)| *s == self).map(|(_, n)| *n).unwrap_or("json")
    }
}

/// A type expression as written, names not yet resolved.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TypeExpr {
    /// A built-in scalar.
    Scalar(Scalar),
    /// `[T]`
    Array(Box<TypeExpr>),
    /// `{T}`
    Map(Box<TypeExpr>),
    /// `Name` or `Name<T>`
    Named(String, Option<Box<TypeExpr>>),
    /// `P`, the type parameter of a generic shape.
    Param,
}

impl fmt::Display for TypeExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Scalar(scalar) => f.write_str(scalar.name()),
            Self::Array(item) => write!(f, "[{item}]"),
            Self::Map(value) => write!(f, "{{{value}}}"),
            Self::Named(name, None) => f.write_str(name),
            Self::Named(name, Some(arg)) => write!(f, "{name}<{arg}>"),
            Self::Param => f.write_str("P"),
        }
    }
}

/// Parses a type expression; the error says what was expected.
pub fn parse(text: &str) -> Result<TypeExpr, String> {
    let mut parser = Parser { text, at: 0, depth: 0 };
    let expr = parser.expr()?;
    parser.skip_spaces();
    if parser.at != text.len() {
        return Err(format!("unexpected `{}` after `{}`", &text[parser.at..], &text[..parser.at]));
    }
    Ok(expr)
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
    depth: usize,
}

/// Deeper nesting is certainly a mistake, and unbounded recursion would overflow the stack.
const MAX_DEPTH: usize = 32;

impl Parser<'_> {
    fn skip_spaces(&mut self) {
        while self.text[self.at..].starts_with(' ') {
            self.at += 1;
        }
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_spaces();
        if self.text[self.at..].starts_with(c) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char) -> Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(format!("expected `{c}` at position {} of `{}`", self.at + 1, self.text))
        }
    }

    fn expr(&mut self) -> Result<TypeExpr, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!("types nest more than {MAX_DEPTH} deep"));
        }
        let expr = self.expr_inner();
        self.depth -= 1;
        expr
    }

    fn expr_inner(&mut self) -> Result<TypeExpr, String> {
        if self.eat('[') {
            let item = self.expr()?;
            self.expect(']')?;
            return Ok(TypeExpr::Array(Box::new(item)));
        }
        if self.eat('{') {
            let value = self.expr()?;
            self.expect('}')?;
            return Ok(TypeExpr::Map(Box::new(value)));
        }
        self.skip_spaces();
        let rest = &self.text[self.at..];
        let len = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
        if len == 0 {
            return Err(format!("expected a type at position {} of `{}`", self.at + 1, self.text));
        }
        let name = &rest[..len];
        self.at += len;
        if let Some((scalar, _)) = Scalar::ALL.iter().find(|(_, n)| *n == name) {
            return Ok(TypeExpr::Scalar(*scalar));
        }
        if name == "P" {
            return Ok(TypeExpr::Param);
        }
        let arg = if self.eat('<') {
            let arg = self.expr()?;
            self.expect('>')?;
            Some(Box::new(arg))
        } else {
            None
        };
        Ok(TypeExpr::Named(name.to_owned(), arg))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_back() {
        for text in
            ["string", "[LineItem]", "{money}", "Callback<CartData>", "Body<[EntityWriteResult]>", "P", "[{json}]"]
        {
            assert_eq!(parse(text).unwrap().to_string(), text);
        }
        assert_eq!(parse(" [ uint ] ").unwrap(), TypeExpr::Array(Box::new(TypeExpr::Scalar(Scalar::Uint))));
    }

    #[test]
    fn rejects_malformed_expressions() {
        for text in ["", "[string", "Name<", "string]", "a b", "{}", "Name<P"] {
            assert!(parse(text).is_err(), "{text}");
        }
    }
}
