//! expr's grammar (`parser/parser.go` and `parser/operator/operator.go` of
//! v1.17): precedence climbing over the binary operators, `not in` and its
//! kin, chained comparisons (`1 < x < 3` means `1 < x && x < 3`), `?:` and
//! `?:` without a middle, `??` (not mixed with other operators unless
//! parenthesised), `let`, `if {} else {}`, the pipe `|`, member, index and
//! slice access, optional chaining and closures of the predicate builtins.

use super::super::error::ExpressionError;
use super::ast::Node;
use super::lexer::{Kind, Token, is_alphanumeric, locate, tokenize};

/// The builtins that take a closure, and whether their later arguments are
/// optional (`count`, `sum`: the closure; `sortBy`, `reduce`: a third).
const PREDICATES: &[(&str, usize, usize)] = &[
    // (name, required arguments, all arguments)
    ("all", 2, 2),
    ("none", 2, 2),
    ("any", 2, 2),
    ("one", 2, 2),
    ("filter", 2, 2),
    ("map", 2, 2),
    ("count", 1, 2),
    ("sum", 1, 2),
    ("find", 2, 2),
    ("findIndex", 2, 2),
    ("findLast", 2, 2),
    ("findLastIndex", 2, 2),
    ("groupBy", 2, 2),
    ("sortBy", 2, 3),
    ("reduce", 2, 3),
];

/// Every builtin name expr knows (`builtin/builtin.go`), predicates included.
pub(super) const BUILTINS: &[&str] = &[
    "all",
    "none",
    "any",
    "one",
    "filter",
    "map",
    "find",
    "findIndex",
    "findLast",
    "findLastIndex",
    "count",
    "sum",
    "groupBy",
    "sortBy",
    "reduce",
    "len",
    "type",
    "abs",
    "ceil",
    "floor",
    "round",
    "int",
    "float",
    "string",
    "trim",
    "trimPrefix",
    "trimSuffix",
    "upper",
    "lower",
    "split",
    "splitAfter",
    "replace",
    "repeat",
    "join",
    "indexOf",
    "lastIndexOf",
    "hasPrefix",
    "hasSuffix",
    "max",
    "min",
    "mean",
    "median",
    "toJSON",
    "fromJSON",
    "toBase64",
    "fromBase64",
    "now",
    "duration",
    "date",
    "timezone",
    "first",
    "last",
    "get",
    "take",
    "keys",
    "values",
    "toPairs",
    "fromPairs",
    "reverse",
    "uniq",
    "concat",
    "flatten",
    "sort",
    "bitand",
    "bitor",
    "bitxor",
    "bitnand",
    "bitshl",
    "bitshr",
    "bitushr",
    "bitnot",
];

fn binary_precedence(op: &str) -> Option<(u32, bool)> {
    // (precedence, right associative)
    Some(match op {
        "|" => (0, false),
        "or" | "||" => (10, false),
        "and" | "&&" => (15, false),
        "==" | "!=" | "<" | ">" | ">=" | "<=" | "in" | "matches" | "contains" | "startsWith" | "endsWith" => {
            (20, false)
        }
        ".." => (25, false),
        "+" | "-" => (30, false),
        "*" | "/" | "%" => (60, false),
        "**" | "^" => (100, true),
        "??" => (500, false),
        _ => return None,
    })
}

fn unary_precedence(op: &str) -> Option<u32> {
    match op {
        "not" | "!" => Some(50),
        "-" | "+" => Some(90),
        _ => None,
    }
}

fn is_comparison(op: &str) -> bool {
    matches!(op, "<" | ">" | ">=" | "<=")
}

fn allowed_negate_suffix(op: &str) -> bool {
    matches!(op, "contains" | "matches" | "startsWith" | "endsWith" | "in")
}

const MAX_NODES: usize = 10_000;

struct Parser {
    tokens: Vec<Token>,
    position: usize,
    /// Depth of predicate (closure) nesting: `#` and `.x` are valid inside.
    depth: usize,
    nodes: usize,
}

pub(super) fn parse(source: &str) -> Result<Node, ExpressionError> {
    let tokens = tokenize(source)?;
    let mut parser = Parser { tokens, position: 0, depth: 0, nodes: 0 };
    let parsed = parser.sequence().and_then(|node| {
        if parser.current().kind != Kind::Eof {
            return Err(parser.unexpected());
        }
        Ok(node)
    });
    // expr reports a parse error at the token it stopped on.
    parsed.map_err(|error| locate(error, source, parser.current().position))
}

/// Where `name` is first used as a name (not as a `.field` or `#pointer`),
/// for the location of an "unknown name" error.
pub(super) fn name_position(source: &str, name: &str) -> Option<usize> {
    let tokens = tokenize(source).ok()?;
    tokens.iter().enumerate().find_map(|(i, token)| {
        let after_dot = i > 0 && matches!(tokens[i - 1].value.as_str(), "." | "?." | "#");
        (token.kind == Kind::Identifier && token.value == name && !after_dot).then_some(token.position)
    })
}

type Parsed = Result<Node, ExpressionError>;

impl Parser {
    fn current(&self) -> &Token {
        &self.tokens[self.position]
    }

    fn next(&mut self) {
        if self.position + 1 < self.tokens.len() {
            self.position += 1;
        }
    }

    fn unexpected(&self) -> ExpressionError {
        let token = self.current();
        if token.kind == Kind::Eof {
            return ExpressionError::syntax("unexpected token EOF");
        }
        ExpressionError::syntax(format!("unexpected token {}", token.describe()))
    }

    fn is(&self, kind: Kind, value: &str) -> bool {
        self.current().is(kind, value)
    }

    fn expect(&mut self, kind: Kind, value: &str) -> Result<(), ExpressionError> {
        if self.is(kind, value) {
            self.next();
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn count(&mut self) -> Result<(), ExpressionError> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(ExpressionError::syntax("compilation failed: expression exceeds maximum allowed nodes"));
        }
        Ok(())
    }

    fn sequence(&mut self) -> Parsed {
        let mut nodes = vec![self.expression(0)?];
        while self.is(Kind::Operator, ";") {
            self.next();
            if self.current().kind == Kind::Eof {
                break;
            }
            nodes.push(self.expression(0)?);
        }
        if nodes.len() == 1 {
            return Ok(nodes.pop().expect("one node"));
        }
        Ok(Node::Sequence(nodes))
    }

    fn expression(&mut self, precedence: u32) -> Parsed {
        self.count()?;
        if precedence == 0 && self.is(Kind::Operator, "let") {
            return self.variable_declaration();
        }
        if precedence == 0 && self.is(Kind::Operator, "if") {
            return self.conditional_if();
        }
        let mut left = self.primary()?;
        let mut previous = String::new();
        loop {
            let token = self.current().clone();
            if token.kind != Kind::Operator {
                break;
            }
            let mut operator = token.value.clone();
            let negate = operator == "not";
            if negate {
                let backup = self.position;
                self.next();
                let following = self.current().value.clone();
                if self.current().kind == Kind::Operator && allowed_negate_suffix(&following) {
                    match binary_precedence(&following) {
                        Some((p, _)) if p >= precedence => operator = following,
                        _ => {
                            self.position = backup;
                            break;
                        }
                    }
                } else {
                    return Err(self.unexpected());
                }
            }
            let Some((op_precedence, right_assoc)) = binary_precedence(&operator) else {
                break;
            };
            if op_precedence < precedence {
                break;
            }
            self.next();
            if operator == "|" {
                let name = self.current().clone();
                if name.kind != Kind::Identifier {
                    return Err(self.unexpected());
                }
                self.next();
                left = self.call(&name.value, vec![left])?;
                previous = operator;
                continue;
            }
            if previous == "??" && operator != "??" {
                return Err(ExpressionError::syntax(format!(
                    "Operator ({operator}) and coalesce expressions (??) cannot be mixed. Wrap either by parentheses."
                )));
            }
            if is_comparison(&operator) {
                left = self.comparison(left, operator.clone(), op_precedence)?;
                previous = operator;
                continue;
            }
            let right = if right_assoc { self.expression(op_precedence)? } else { self.expression(op_precedence + 1)? };
            left = Node::Binary(operator.clone(), Box::new(left), Box::new(right));
            if negate {
                left = Node::Unary("not".into(), Box::new(left));
            }
            previous = operator;
        }
        if precedence == 0 {
            left = self.conditional(left)?;
        }
        Ok(left)
    }

    fn variable_declaration(&mut self) -> Parsed {
        self.expect(Kind::Operator, "let")?;
        let name = self.current().clone();
        if name.kind != Kind::Identifier {
            return Err(self.unexpected());
        }
        self.next();
        self.expect(Kind::Operator, "=")?;
        let value = self.expression(0)?;
        self.expect(Kind::Operator, ";")?;
        let body = self.sequence()?;
        Ok(Node::Let { name: name.value, value: Box::new(value), body: Box::new(body) })
    }

    fn conditional_if(&mut self) -> Parsed {
        self.next();
        let condition = self.expression(0)?;
        self.expect(Kind::Bracket, "{")?;
        let then = self.sequence()?;
        self.expect(Kind::Bracket, "}")?;
        self.expect(Kind::Operator, "else")?;
        let otherwise = if self.is(Kind::Operator, "if") {
            self.conditional_if()?
        } else {
            self.expect(Kind::Bracket, "{")?;
            let otherwise = self.sequence()?;
            self.expect(Kind::Bracket, "}")?;
            otherwise
        };
        Ok(Node::Conditional(Box::new(condition), Box::new(then), Box::new(otherwise)))
    }

    fn conditional(&mut self, mut node: Node) -> Parsed {
        while self.is(Kind::Operator, "?") {
            self.next();
            let (then, otherwise) = if !self.is(Kind::Operator, ":") {
                let then = self.expression(0)?;
                self.expect(Kind::Operator, ":")?;
                (then, self.expression(0)?)
            } else {
                self.next();
                (node.clone(), self.expression(0)?)
            };
            node = Node::Conditional(Box::new(node), Box::new(then), Box::new(otherwise));
        }
        Ok(node)
    }

    fn comparison(&mut self, mut left: Node, mut operator: String, precedence: u32) -> Parsed {
        let mut root: Option<Node> = None;
        loop {
            let right = self.expression(precedence + 1)?;
            let comparison = Node::Binary(operator.clone(), Box::new(left), Box::new(right.clone()));
            root = Some(match root {
                None => comparison,
                Some(root) => Node::Binary("&&".into(), Box::new(root), Box::new(comparison)),
            });
            left = right;
            let token = self.current();
            if !(token.kind == Kind::Operator && is_comparison(&token.value)) {
                break;
            }
            operator = token.value.clone();
            self.next();
        }
        Ok(root.expect("one comparison"))
    }

    fn primary(&mut self) -> Parsed {
        let token = self.current().clone();
        if token.kind == Kind::Operator
            && let Some(precedence) = unary_precedence(&token.value)
        {
            self.next();
            let operand = self.expression(precedence)?;
            let node = Node::Unary(token.value, Box::new(operand));
            return self.postfix(node);
        }
        if token.is(Kind::Bracket, "(") {
            self.next();
            let inner = self.sequence()?;
            self.expect(Kind::Bracket, ")")?;
            return self.postfix(inner);
        }
        if self.depth > 0 && (token.is(Kind::Operator, "#") || token.is(Kind::Operator, ".")) {
            let mut name = String::new();
            if token.is(Kind::Operator, "#") {
                self.next();
                if self.current().kind == Kind::Identifier {
                    name = self.current().value.clone();
                    self.next();
                }
                return self.postfix(Node::Pointer(name));
            }
            // `.field` inside a closure: a member of `#`; the postfix loop
            // reads it from the `.` token.
            return self.postfix(Node::Pointer(name));
        }
        if token.is(Kind::Operator, "::") {
            self.next();
            let name = self.current().clone();
            if name.kind != Kind::Identifier {
                return Err(self.unexpected());
            }
            self.next();
            let call = self.call(&name.value, vec![])?;
            return self.postfix(call);
        }
        self.secondary()
    }

    fn secondary(&mut self) -> Parsed {
        let token = self.current().clone();
        self.count()?;
        let node = match token.kind {
            Kind::Identifier => {
                self.next();
                match token.value.as_str() {
                    "true" => return Ok(Node::Bool(true)),
                    "false" => return Ok(Node::Bool(false)),
                    "nil" => return Ok(Node::Nil),
                    _ => {
                        if self.is(Kind::Bracket, "(") {
                            self.call(&token.value, vec![])?
                        } else {
                            Node::Identifier(token.value)
                        }
                    }
                }
            }
            Kind::Number => {
                self.next();
                return number(&token.value);
            }
            Kind::String => {
                self.next();
                Node::Str(token.value)
            }
            Kind::Bracket if token.value == "[" => self.array()?,
            Kind::Bracket if token.value == "{" => self.map()?,
            _ => return Err(self.unexpected()),
        };
        self.postfix(node)
    }

    fn call(&mut self, name: &str, mut arguments: Vec<Node>) -> Parsed {
        if let Some(&(_, required, all)) = PREDICATES.iter().find(|(n, _, _)| *n == name) {
            self.expect(Kind::Bracket, "(")?;
            let offset = arguments.len();
            for index in offset..all {
                if self.is(Kind::Bracket, ")") {
                    if index >= required {
                        break;
                    }
                    return Err(ExpressionError::syntax(format!("expected at least {} arguments", all - offset)));
                }
                if index > offset {
                    self.expect(Kind::Operator, ",")?;
                }
                let node = if index == 1 { self.predicate()? } else { self.expression(0)? };
                arguments.push(node);
            }
            if self.is(Kind::Operator, ",") {
                self.next();
            }
            self.expect(Kind::Bracket, ")")?;
            return Ok(Node::Builtin { name: name.to_string(), arguments });
        }
        let arguments = self.arguments(arguments)?;
        if BUILTINS.contains(&name) {
            return Ok(Node::Builtin { name: name.to_string(), arguments });
        }
        Ok(Node::Call { callee: Box::new(Node::Identifier(name.to_string())), arguments })
    }

    fn arguments(&mut self, mut arguments: Vec<Node>) -> Result<Vec<Node>, ExpressionError> {
        let offset = arguments.len();
        self.expect(Kind::Bracket, "(")?;
        while !self.is(Kind::Bracket, ")") {
            if arguments.len() > offset {
                self.expect(Kind::Operator, ",")?;
            }
            if self.is(Kind::Bracket, ")") {
                break;
            }
            arguments.push(self.expression(0)?);
        }
        self.expect(Kind::Bracket, ")")?;
        Ok(arguments)
    }

    fn predicate(&mut self) -> Parsed {
        let with_brackets = self.is(Kind::Bracket, "{");
        if with_brackets {
            self.next();
        }
        self.depth += 1;
        let node = if with_brackets {
            self.sequence()
        } else {
            let node = self.expression(0);
            if node.is_ok() && self.is(Kind::Operator, ";") {
                self.depth -= 1;
                return Err(ExpressionError::syntax("wrap predicate with brackets { and }"));
            }
            node
        };
        self.depth -= 1;
        let node = node?;
        if with_brackets {
            self.expect(Kind::Bracket, "}")?;
        }
        Ok(Node::Predicate(Box::new(node)))
    }

    fn array(&mut self) -> Parsed {
        self.expect(Kind::Bracket, "[")?;
        let mut nodes = Vec::new();
        while !self.is(Kind::Bracket, "]") {
            if !nodes.is_empty() {
                self.expect(Kind::Operator, ",")?;
                if self.is(Kind::Bracket, "]") {
                    break;
                }
            }
            nodes.push(self.expression(0)?);
        }
        self.expect(Kind::Bracket, "]")?;
        Ok(Node::Array(nodes))
    }

    fn map(&mut self) -> Parsed {
        self.expect(Kind::Bracket, "{")?;
        let mut pairs = Vec::new();
        while !self.is(Kind::Bracket, "}") {
            if !pairs.is_empty() {
                self.expect(Kind::Operator, ",")?;
                if self.is(Kind::Bracket, "}") {
                    break;
                }
                if self.is(Kind::Operator, ",") {
                    return Err(self.unexpected());
                }
            }
            let token = self.current().clone();
            let key = match token.kind {
                Kind::Number | Kind::String | Kind::Identifier => {
                    self.next();
                    Node::Str(token.value)
                }
                Kind::Bracket if token.value == "(" => self.expression(0)?,
                _ => {
                    return Err(ExpressionError::syntax(format!(
                        "a map key must be a quoted string, a number, a identifier, or an expression enclosed in parentheses (unexpected token {})",
                        token.describe()
                    )));
                }
            };
            self.expect(Kind::Operator, ":")?;
            let value = self.expression(0)?;
            pairs.push((key, value));
        }
        self.expect(Kind::Bracket, "}")?;
        Ok(Node::Map(pairs))
    }

    fn postfix(&mut self, mut node: Node) -> Parsed {
        let mut in_chain = false;
        loop {
            let token = self.current().clone();
            if token.kind != Kind::Operator && token.kind != Kind::Bracket {
                break;
            }
            let optional = token.value == "?.";
            if token.value == "." || optional {
                self.next();
                if optional && self.is(Kind::Bracket, "[") {
                    self.next();
                    let property = self.expression(0)?;
                    self.expect(Kind::Bracket, "]")?;
                    node = Node::Member { node: Box::new(node), property: Box::new(property), optional: true };
                    in_chain = true;
                    continue;
                }
                let property = self.current().clone();
                let valid = property.kind == Kind::Identifier
                    || (property.kind == Kind::Operator
                        && property.value.chars().next().is_some_and(|c| c == '_' || c == '$' || c.is_alphabetic())
                        && property.value.chars().all(is_alphanumeric));
                if !valid {
                    return Err(ExpressionError::syntax("expected name"));
                }
                self.next();
                let member =
                    Node::Member { node: Box::new(node), property: Box::new(Node::Str(property.value)), optional };
                node = if self.is(Kind::Bracket, "(") {
                    let arguments = self.arguments(vec![])?;
                    Node::Call { callee: Box::new(member), arguments }
                } else {
                    member
                };
                in_chain |= optional;
            } else if token.value == "[" {
                self.next();
                if self.is(Kind::Operator, ":") {
                    self.next();
                    let to = if self.is(Kind::Bracket, "]") { None } else { Some(Box::new(self.expression(0)?)) };
                    self.expect(Kind::Bracket, "]")?;
                    node = Node::Slice { node: Box::new(node), from: None, to };
                    continue;
                }
                let from = self.expression(0)?;
                if self.is(Kind::Operator, ":") {
                    self.next();
                    let to = if self.is(Kind::Bracket, "]") { None } else { Some(Box::new(self.expression(0)?)) };
                    self.expect(Kind::Bracket, "]")?;
                    node = Node::Slice { node: Box::new(node), from: Some(Box::new(from)), to };
                } else {
                    self.expect(Kind::Bracket, "]")?;
                    node = Node::Member { node: Box::new(node), property: Box::new(from), optional: false };
                }
            } else {
                break;
            }
        }
        if in_chain {
            node = Node::Chain(Box::new(node));
        }
        Ok(node)
    }
}

fn number(text: &str) -> Parsed {
    let value = text.replace('_', "");
    let lower = value.to_ascii_lowercase();
    let radix = |prefix: &str, radix: u32, what: &str| -> Parsed {
        i64::from_str_radix(&value[prefix.len()..], radix)
            .map(Node::Int)
            .map_err(|e| ExpressionError::syntax(format!("invalid {what} literal: {e}")))
    };
    if lower.starts_with("0x") {
        radix("0x", 16, "hex")
    } else if lower.contains('.') || lower.contains('e') {
        value
            .parse::<f64>()
            .map(Node::Float)
            .map_err(|e| ExpressionError::syntax(format!("invalid float literal: {e}")))
    } else if lower.starts_with("0b") {
        radix("0b", 2, "binary")
    } else if lower.starts_with("0o") {
        radix("0o", 8, "octal")
    } else {
        value
            .parse::<i64>()
            .map(Node::Int)
            .map_err(|e| ExpressionError::syntax(format!("invalid integer literal: {e}")))
    }
}
