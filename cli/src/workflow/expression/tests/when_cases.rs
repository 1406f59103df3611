//! `when`: Argo's `TestShouldExecute` (`workflow/controller/when_test.go`)
//! word for word, then conditions as Argo substitutes them in its examples
//! (`examples/coinflip.yaml`, `conditionals.yaml`) and the messages of
//! `shouldExecute` (`workflow/controller/steps.go`).

use crate::workflow::expression::{ErrorKind, when};

#[test]
fn argo_should_execute_true() {
    for condition in [
        "foo == foo",
        "'ref/branch/master' == 'ref/branch/master'",
        "foo != bar",
        "1 == 1",
        "1 != 2",
        "1 < 2",
        "1 <= 1",
        "1/2 == 0.5",
        "a < b",
        "(foo == bar) || (foo == foo)",
        "(1 > 0) && (1 < 2)",
        "Error in (Failed, Error)",
        "!(Succeeded in (Failed, Error))",
        "true == true",
    ] {
        assert_eq!(when(condition), Ok(true), "{condition}");
    }
}

#[test]
fn argo_should_execute_false() {
    for condition in [
        "foo != foo",
        "'ref/branch/master' != 'ref/branch/master'",
        "foo == bar",
        "1 != 1",
        "1 == 2",
        "1 > 2",
        "1 <= 0",
        "1/2 != 0.5",
        "a > b",
        "(foo == bar) || (bar == foo)",
        "(1 > 0) && (11 < 2)",
        "Succeeded in (Failed, Error)",
        "!(Error in (Failed, Error))",
        "false == true",
    ] {
        assert_eq!(when(condition), Ok(false), "{condition}");
    }
}

/// Conditions as they reach `shouldExecute` after substitution.
#[test]
fn substituted_conditions() {
    let cases = [
        // coinflip.yaml: `{{steps.flip-coin.outputs.result}} == heads`
        ("heads == heads", true),
        ("tails == heads", false),
        // conditionals.yaml: `{{workflow.parameters.should-print}} == true`
        // (a bare `true` is a bool, so a bool compares with a bool)
        ("true == true", true),
        ("false == true", false),
        // quoted on both sides, as Argo's docs advise
        ("'hello world' == 'hello world'", true),
        ("\"Succeeded\" == \"Succeeded\"", true),
        // numbers compare as numbers, words with numbers never equal
        ("7 > 5", true),
        ("10 < 9", false),
        ("5 == five", false),
        // a number with a fraction equals the integer it is
        ("3.0 == 3", true),
        // regular expressions
        ("'v1.2.3' =~ '^v[0-9]+\\.'", true),
        ("abc !~ '^a'", false),
        ("hello =~ ell", true),
        // an empty condition runs
        ("", true),
        // ternary on a bool gives the branch
        ("(1 < 2) ? true : false", true),
        // `&&`, `||` and `!` on words compared first
        ("a == a && !(b == c)", true),
        // dates in quotes compare as times
        ("'2024-01-02' > '2024-01-01'", true),
    ];
    for (condition, expected) in cases {
        assert_eq!(when(condition), Ok(expected), "{condition}");
    }
}

/// `shouldExecute`'s error messages.
#[test]
fn errors_in_argo_words() {
    let error = when("1 = 1").unwrap_err();
    assert_eq!(
        error.message(),
        "Invalid 'when' expression '1 = 1': Invalid token: '=' (hint: try wrapping the affected expression in quotes (\"))"
    );
    assert_eq!(error.kind(), ErrorKind::Syntax);

    let error = when("foo ==").unwrap_err();
    assert_eq!(error.message(), "Invalid 'when' expression 'foo ==': Unexpected end of expression");

    // A word after a prefix is a variable to govaluate, a string once Argo
    // converts it, and a string may not follow a prefix.
    let error = when("!foo").unwrap_err();
    assert_eq!(
        error.message(),
        "Failed to parse 'when' expression '!foo': Cannot transition token types from PREFIX [!] to STRING [foo]"
    );

    let error = when("heads > 1").unwrap_err();
    assert_eq!(
        error.message(),
        "Failed to evaluate 'when' expresion 'heads > 1': Value 'heads' cannot be used with the comparator '>', it is not a number"
    );

    let error = when("1 + 1").unwrap_err();
    assert_eq!(error.message(), "Expected boolean evaluation for '1 + 1'. Got 2");

    let error = when("heads").unwrap_err();
    assert_eq!(error.message(), "Expected boolean evaluation for 'heads'. Got heads");

    // An accessor stays a parameter, and `when` has none.
    let error = when("steps.Flip == heads").unwrap_err();
    assert_eq!(
        error.message(),
        "Failed to evaluate 'when' expresion 'steps.Flip == heads': No parameter 'steps' found."
    );

    // Lower-case fields after a dot are refused by govaluate's lexer.
    let error = when("steps.flip == heads").unwrap_err();
    assert_eq!(
        error.message(),
        "Invalid 'when' expression 'steps.flip == heads': Unable to access unexported field 'flip' in token 'steps.flip'"
    );
}
