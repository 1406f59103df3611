//! expr's syntax tree, as its parser (`ast/node.go`) builds it.

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// A name from the env, a `let` variable or a closure's variable.
    Identifier(String),
    /// `#` (empty name), `#index`, `#acc` or `.field` inside a predicate.
    Pointer(String),
    Unary(String, Box<Node>),
    Binary(String, Box<Node>, Box<Node>),
    /// `node.property`, `node[property]`; `optional` for `?.`.
    Member {
        node: Box<Node>,
        property: Box<Node>,
        optional: bool,
    },
    Slice {
        node: Box<Node>,
        from: Option<Box<Node>>,
        to: Option<Box<Node>>,
    },
    /// A call of a function from the env (`asInt(x)`, `sprig.upper(x)`).
    Call {
        callee: Box<Node>,
        arguments: Vec<Node>,
    },
    /// A call of one of expr's builtins (`len`, `map`, `filter`, …).
    Builtin {
        name: String,
        arguments: Vec<Node>,
    },
    /// A closure argument of a builtin (`map(xs, # * 2)`).
    Predicate(Box<Node>),
    /// An optional chain (`a?.b.c`): nil as soon as a `?.` meets nil.
    Chain(Box<Node>),
    Conditional(Box<Node>, Box<Node>, Box<Node>),
    Array(Vec<Node>),
    Map(Vec<(Node, Node)>),
    Let {
        name: String,
        value: Box<Node>,
        body: Box<Node>,
    },
    Sequence(Vec<Node>),
}
