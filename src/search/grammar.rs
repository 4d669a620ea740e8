//! The issue search grammar as Sentry users type it, read into a tree: `key:value` terms (with
//! `!` to negate, `*` wildcards, `[a,b]` lists, `>`/`<`/`>=`/`<=` comparisons, quoted values),
//! free text, terms side by side meaning AND, and — beyond Sentry's issue stream — `OR`, `AND`
//! and parentheses. What a key means is decided later (`keys`); this module only reads.
//!
//! ```text
//! search := any
//! any    := all ("OR" all)*
//! all    := unit (["AND"] unit)*
//! unit   := ["!"] "(" any ")" | term
//! term   := ["!"] key ":" [op] value | text
//! value  := "[" item ("," item)* "]" | "\"" quoted "\"" | bare
//! ```
use super::SearchError;

/// A search read into a tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// Every part holds (terms side by side, or joined with `AND`).
    All(Vec<Expr>),
    /// At least one part holds (`OR`).
    Any(Vec<Expr>),
    /// The group does not hold (`!( … )`).
    Not(Box<Expr>),
    Term(Term),
}

/// One term as typed, with where it stands in the search for error messages.
#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    /// Character offset of the term in the search.
    pub position: usize,
    /// The term as typed.
    pub text: String,
    pub negated: bool,
    pub kind: TermKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TermKind {
    /// Free text (a word or a quoted phrase).
    Text(String),
    /// `key:value`, `key:>value`, `key:[a,b]`.
    Filter {
        key: String,
        op: Op,
        /// One value, or the items of a list; quotes removed.
        values: Vec<String>,
    },
}

/// The comparison a filter asks for; `Eq` when none is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Gt,
    Gte,
    Lt,
    Lte,
}

/// Groups nest at most this deep: the parser and the SQL it leads to recurse once per level.
const MAX_DEPTH: usize = 16;
/// A search has at most this many terms: each is a condition, most a subquery.
const MAX_TERMS: usize = 64;

/// Reads a search string. An empty search is `All([])`: everything.
pub fn parse(input: &str) -> Result<Expr, SearchError> {
    let tokens = tokenize(input)?;
    if let Some(extra) = tokens
        .iter()
        .filter(|t| matches!(t.piece, Piece::Term(_)))
        .nth(MAX_TERMS)
    {
        return Err(extra.error(format!("a search has at most {MAX_TERMS} terms")));
    }
    let mut parser = Parser {
        tokens: &tokens,
        next: 0,
    };
    let expr = parser.any()?;
    match parser.tokens.get(parser.next) {
        None => Ok(expr),
        Some(token) => Err(token.error("unbalanced parenthesis: no group to close")),
    }
}

/// A lexical piece of the search.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    /// `(`, or `!(` when `negated`.
    Open {
        negated: bool,
    },
    Close,
    Or,
    And,
    Term(Term),
}

#[derive(Debug, Clone)]
struct Token {
    position: usize,
    text: String,
    piece: Piece,
}

impl Token {
    fn error(&self, message: impl Into<String>) -> SearchError {
        SearchError::at(self.position, &self.text, message)
    }
}

fn tokenize(input: &str) -> Result<Vec<Token>, SearchError> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let negated = c == '!' && chars.get(i + 1) == Some(&'(');
        if c == '(' || negated {
            let text = if negated { "!(" } else { "(" };
            if depth == MAX_DEPTH {
                return Err(SearchError::at(
                    i,
                    text,
                    format!("groups nest at most {MAX_DEPTH} deep"),
                ));
            }
            tokens.push(Token {
                position: i,
                text: text.into(),
                piece: Piece::Open { negated },
            });
            depth += 1;
            i += text.len();
            continue;
        }
        if c == ')' {
            tokens.push(Token {
                position: i,
                text: ")".into(),
                piece: Piece::Close,
            });
            depth = depth.saturating_sub(1);
            i += 1;
            continue;
        }
        let start = i;
        let end = term_end(&chars, start, depth > 0)?;
        let text: String = chars[start..end].iter().collect();
        i = end;
        let piece = match text.as_str() {
            "OR" => Piece::Or,
            "AND" => Piece::And,
            _ => Piece::Term(term(start, text.clone())?),
        };
        tokens.push(Token {
            position: start,
            text,
            piece,
        });
    }
    Ok(tokens)
}

/// Where the term starting at `start` ends: at white space outside quotes and brackets, or at a
/// `)` closing an open group.
fn term_end(chars: &[char], start: usize, in_group: bool) -> Result<usize, SearchError> {
    let mut i = start;
    let mut quote_from = None;
    let mut bracket_from = None;
    while i < chars.len() {
        let c = chars[i];
        match (c, quote_from, bracket_from) {
            ('\\', Some(_), _) if i + 1 < chars.len() => i += 1,
            ('"', None, _) => quote_from = Some(i),
            ('"', Some(_), _) => quote_from = None,
            ('[', None, None) if i > start && chars[i - 1] == ':' => bracket_from = Some(i),
            (']', None, Some(_)) => bracket_from = None,
            (c, None, None) if c.is_whitespace() => break,
            (')', None, None) if in_group => break,
            _ => {}
        }
        i += 1;
    }
    let text = |from: usize| chars[from..i].iter().collect::<String>();
    if let Some(from) = quote_from {
        return Err(SearchError::at(from, &text(from), "unterminated quote"));
    }
    if let Some(from) = bracket_from {
        return Err(SearchError::at(
            from,
            &text(from),
            "unterminated list: no `]`",
        ));
    }
    Ok(i)
}

/// One term's text read into its parts.
fn term(position: usize, text: String) -> Result<Term, SearchError> {
    let error = |message: &str| SearchError::at(position, &text, message);
    let (negated, body) = match text.strip_prefix('!') {
        Some(rest) => (true, rest),
        None => (false, text.as_str()),
    };
    let kind = match body.split_once(':') {
        Some((key, value)) if !key.is_empty() && !key.starts_with('"') => {
            if !valid_key(key) {
                return Err(error(&format!("invalid search key {key:?}")));
            }
            let (op, value) = operator(value);
            let values = if let Some(list) = value.strip_prefix('[') {
                let list = list.strip_suffix(']').unwrap_or(list);
                split_list(list)
                    .into_iter()
                    .map(|item| unquote(item.trim()))
                    .collect::<Vec<_>>()
            } else {
                vec![unquote(value)]
            };
            if values.iter().any(String::is_empty) {
                return Err(error(&format!("{key}: needs a value")));
            }
            TermKind::Filter {
                key: key.to_string(),
                op,
                values,
            }
        }
        _ => {
            let phrase = unquote(body);
            if phrase.is_empty() {
                return Err(error("empty text"));
            }
            TermKind::Text(phrase)
        }
    };
    Ok(Term {
        position,
        text: text.clone(),
        negated,
        kind,
    })
}

/// Keys are names, dotted names and `tags[name]`.
fn valid_key(key: &str) -> bool {
    let name = match key.strip_prefix("tags[") {
        Some(rest) => match rest.strip_suffix(']') {
            Some(name) => name,
            None => return false,
        },
        None => key,
    };
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || "_.-:@/".contains(c))
}

/// A leading comparison operator, unquoted.
fn operator(value: &str) -> (Op, &str) {
    for (prefix, op) in [
        (">=", Op::Gte),
        ("<=", Op::Lte),
        (">", Op::Gt),
        ("<", Op::Lt),
        ("=", Op::Eq),
    ] {
        if let Some(rest) = value.strip_prefix(prefix) {
            return (op, rest);
        }
    }
    (Op::Eq, value)
}

/// The items of a list, split at commas outside quotes.
fn split_list(list: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let mut quoted = false;
    let mut from = 0;
    for (i, c) in list.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                items.push(&list[from..i]);
                from = i + 1;
            }
            _ => {}
        }
    }
    items.push(&list[from..]);
    items
}

/// A value without its surrounding quotes, with `\"` read as a quote.
fn unquote(value: &str) -> String {
    match value
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
    {
        Some(inner) => inner.replace("\\\"", "\""),
        None => value.to_string(),
    }
}

/// Recursive descent over the tokens.
struct Parser<'a> {
    tokens: &'a [Token],
    next: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.next)
    }

    fn any(&mut self) -> Result<Expr, SearchError> {
        let mut parts = vec![self.all()?];
        while let Some(token) = self.peek() {
            if token.piece != Piece::Or {
                break;
            }
            let or = token.clone();
            self.next += 1;
            let part = self.all()?;
            if part == Expr::All(Vec::new()) {
                return Err(or.error("OR needs a term on each side"));
            }
            parts.push(part);
        }
        if parts.len() > 1 && parts[0] == Expr::All(Vec::new()) {
            return Err(SearchError::at(0, "OR", "OR needs a term on each side"));
        }
        Ok(if parts.len() == 1 {
            parts.pop().expect("one part")
        } else {
            Expr::Any(parts)
        })
    }

    fn all(&mut self) -> Result<Expr, SearchError> {
        let mut parts = Vec::new();
        while let Some(token) = self.peek() {
            match &token.piece {
                Piece::Or | Piece::Close => break,
                Piece::And => {
                    if parts.is_empty() {
                        return Err(token.error("AND needs a term on each side"));
                    }
                    let and = token.clone();
                    self.next += 1;
                    match self.peek().map(|t| &t.piece) {
                        Some(Piece::Term(_) | Piece::Open { .. }) => {}
                        _ => return Err(and.error("AND needs a term on each side")),
                    }
                }
                Piece::Open { negated } => {
                    let negated = *negated;
                    let open = token.clone();
                    self.next += 1;
                    let inner = self.any()?;
                    match self.peek() {
                        Some(Token {
                            piece: Piece::Close,
                            ..
                        }) => self.next += 1,
                        _ => return Err(open.error("unbalanced parenthesis: no `)`")),
                    }
                    if inner == Expr::All(Vec::new()) {
                        return Err(open.error("empty parentheses"));
                    }
                    parts.push(if negated {
                        Expr::Not(Box::new(inner))
                    } else {
                        inner
                    });
                }
                Piece::Term(term) => {
                    parts.push(Expr::Term(term.clone()));
                    self.next += 1;
                }
            }
        }
        Ok(if parts.len() == 1 {
            parts.pop().expect("one part")
        } else {
            Expr::All(parts)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(
        key: &str,
        op: Op,
        values: &[&str],
        negated: bool,
    ) -> (String, Op, Vec<String>, bool) {
        (
            key.into(),
            op,
            values.iter().map(|v| v.to_string()).collect(),
            negated,
        )
    }

    /// The filters of a flat search, in order.
    fn filters(input: &str) -> Vec<(String, Op, Vec<String>, bool)> {
        let terms = match parse(input).unwrap() {
            Expr::All(parts) => parts,
            single => vec![single],
        };
        terms
            .into_iter()
            .map(|part| match part {
                Expr::Term(Term {
                    negated,
                    kind: TermKind::Filter { key, op, values },
                    ..
                }) => (key, op, values, negated),
                other => panic!("not a filter: {other:?}"),
            })
            .collect()
    }

    #[test]
    fn the_forms_sentry_users_type() {
        assert_eq!(
            filters(
                r#"is:unresolved !level:info environment:[prod, "staging eu"] release:shop@1.* timesSeen:>=10 firstSeen:-24h user.email:"a b@x.io" tags[level]:x"#
            ),
            [
                filter("is", Op::Eq, &["unresolved"], false),
                filter("level", Op::Eq, &["info"], true),
                filter("environment", Op::Eq, &["prod", "staging eu"], false),
                filter("release", Op::Eq, &["shop@1.*"], false),
                filter("timesSeen", Op::Gte, &["10"], false),
                filter("firstSeen", Op::Eq, &["-24h"], false),
                filter("user.email", Op::Eq, &["a b@x.io"], false),
                filter("tags[level]", Op::Eq, &["x"], false),
            ]
        );
    }

    #[test]
    fn or_and_parentheses_group_terms() {
        let expr =
            parse(r#"(level:error OR level:fatal) "connection reset" AND is:resolved"#).unwrap();
        let Expr::All(parts) = expr else {
            panic!("{expr:?}")
        };
        assert_eq!(parts.len(), 3);
        assert!(matches!(&parts[0], Expr::Any(alternatives) if alternatives.len() == 2));
        assert!(matches!(
            &parts[1],
            Expr::Term(Term { kind: TermKind::Text(text), .. }) if text == "connection reset"
        ));
        // OR binds looser than terms side by side.
        let Expr::Any(alternatives) = parse("a b OR c").unwrap() else {
            panic!()
        };
        assert!(matches!(&alternatives[0], Expr::All(words) if words.len() == 2));
        assert!(
            matches!(parse("!(a OR b)").unwrap(), Expr::Not(inner) if matches!(*inner, Expr::Any(_)))
        );
        assert_eq!(parse("").unwrap(), Expr::All(vec![]));
        assert_eq!(parse("   ").unwrap(), Expr::All(vec![]));
    }

    #[test]
    fn a_value_may_hold_parentheses_and_colons_when_quoted_or_outside_a_group() {
        assert_eq!(
            filters(r#"culprit:app.views(cart) message:"a (b) c: d""#),
            [
                filter("culprit", Op::Eq, &["app.views(cart)"], false),
                filter("message", Op::Eq, &["a (b) c: d"], false),
            ]
        );
    }

    #[test]
    fn errors_name_the_term_at_fault() {
        for (input, position, token) in [
            ("ok \"unterminated", 3, "\"unterminated"),
            ("release: x", 0, "release:"),
            ("bad key!:v", 4, "key!:v"),
            ("level:[error", 6, "[error"),
            ("(level:error", 0, "("),
            ("(level:error) )", 14, ")"),
            ("OR level:error", 0, "OR"),
            ("level:error OR", 12, "OR"),
            ("AND x", 0, "AND"),
            ("()", 0, "("),
            ("level:[a,,b]", 0, "level:[a,,b]"),
            (
                format!("{}x{}", "(".repeat(17), ")".repeat(17)).as_str(),
                16,
                "(",
            ),
            ("a ".repeat(65).as_str(), 128, "a"),
        ] {
            let error = parse(input).unwrap_err();
            assert_eq!(
                (error.position, error.token.as_str()),
                (position, token),
                "{input}: {error}"
            );
        }
    }
}
