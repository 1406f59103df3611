//! With `sanitize` on (the default), no script reaches the HTML: no
//! `<script>` or other raw element, no event-handler attribute, no link or
//! image address with a scheme other than http, https or mailto — whatever
//! disguise the Markdown uses. The HTML is checked as a browser reads it
//! (WHATWG tokenizer, URLs cleaned as the URL parser cleans them).

mod support;

use support::{Piece, render, tokens};

/// Elements the renderer makes; anything else came from raw HTML.
const ELEMENTS: &[&str] = &[
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "em",
    "strong",
    "del",
    "code",
    "pre",
    "a",
    "img",
    "ul",
    "ol",
    "li",
    "blockquote",
    "hr",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "input",
    "section",
    "sup",
];

/// Attributes the renderer writes.
const ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "alt",
    "title",
    "class",
    "start",
    "type",
    "checked",
    "disabled",
    "align",
    "id",
    "data-footnotes",
    "data-footnote-ref",
    "data-footnote-backref",
    "aria-label",
];

/// The scheme of `url` as a browser's URL parser finds it, lower-cased:
/// tabs and line breaks removed, leading and trailing C0 controls and
/// spaces trimmed, then letters, digits, `+`, `-` and `.` up to a `:`.
fn scheme(url: &str) -> Option<String> {
    let url: String = url.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    let url = url.trim_matches(|c: char| c <= ' ');
    let (scheme, _) = url.split_once(':')?;
    let mut chars = scheme.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| scheme.to_ascii_lowercase())
}

/// What in `html` could run script or was not made by the renderer.
fn violations(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for piece in tokens(html) {
        match piece {
            Piece::Start(name, attributes) => {
                if !ELEMENTS.contains(&name.as_str()) {
                    found.push(format!("element <{name}>"));
                }
                for (attribute, value) in attributes {
                    if attribute.starts_with("on") || !ATTRIBUTES.contains(&attribute.as_str()) {
                        found.push(format!("attribute {attribute}=\"{value}\" on <{name}>"));
                    }
                    if attribute == "align" && !["left", "center", "right"].contains(&value.as_str()) {
                        found.push(format!("align=\"{value}\""));
                    }
                    let unsafe_scheme = matches!(attribute.as_str(), "href" | "src")
                        .then(|| scheme(&value))
                        .flatten()
                        .filter(|s| !["http", "https", "mailto"].contains(&s.as_str()));
                    if let Some(scheme) = unsafe_scheme {
                        found.push(format!("{attribute} with scheme {scheme}: \"{value}\""));
                    }
                }
            }
            Piece::End(name) if !ELEMENTS.contains(&name.as_str()) => found.push(format!("end tag </{name}>")),
            Piece::Comment(comment) => found.push(format!("comment <!--{comment}-->")),
            Piece::Doctype(doctype) => found.push(format!("doctype {doctype}")),
            _ => {}
        }
    }
    found
}

/// Evasions: a name, the Markdown, and whether pulldown-cmark lets it
/// through when sanitising is off (so the check is shown to catch it).
/// `false` marks what the renderer's own escaping already defuses: titles
/// and code info strings are escaped, control characters and tabs in an
/// address are percent-encoded (`jav%09ascript:` names no scheme); and
/// without the footnotes extension, `[^1]: <img …>` is a link reference
/// definition whose address is percent-encoded.
const EVASIONS: &[(&str, &str, bool)] = &[
    ("script block", "<script>alert(1)</script>\n", true),
    ("upper-case script", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>\n", true),
    ("mixed-case inline script", "text <ScRiPt>alert(1)</sCrIpT> text", true),
    ("split script tag", "<scr<script>ipt>alert(1)</script>\n", true),
    ("img onerror block", "<img src=x onerror=alert(1)>\n", true),
    ("img onerror inline", "see <img src=x onerror=\"alert(1)\"> here", true),
    ("svg onload", "<svg onload=alert(1)>\n", true),
    ("details ontoggle", "<details open ontoggle=alert(1)>\n", true),
    ("iframe", "<iframe src=\"https://evil.example\"></iframe>\n", true),
    ("style", "<style>body{background:url(javascript:alert(1))}</style>\n", true),
    ("nested HTML blocks", "<div>\n<div>\n<script>alert(1)</script>\n</div>\n</div>\n", true),
    ("HTML block then Markdown", "<div onclick=\"alert(1)\">\n\n*inside*\n\n</div>\n", true),
    ("comment", "<!-- <script>alert(1)</script> -->\n", true),
    ("CDATA", "a <![CDATA[<script>alert(1)</script>]]> b", true),
    ("processing instruction", "<?php system('id'); ?>\n", true),
    ("raw anchor", "<a href=\"javascript:alert(1)\">x</a>", true),
    ("HTML in a table cell", "| a |\n| - |\n| <img src=x onerror=alert(1)> |\n", true),
    ("HTML in a task item", "- [ ] <script>alert(1)</script>\n", true),
    ("HTML in a heading", "# <b onmouseover=alert(1)>x</b>\n", true),
    ("javascript link", "[x](javascript:alert(1))", true),
    ("upper-case scheme", "[x](JAVASCRIPT:alert(1))", true),
    ("decimal entity", "[x](&#106;avascript:alert(1))", true),
    ("hex entities", "[x](&#x6A;avascript&#x3A;alert(1))", true),
    ("named colon entity", "[x](javascript&colon;alert(1))", true),
    ("tab entity inside the scheme", "[x](jav&#x09;ascript:alert(1))", false),
    ("newline entity inside the scheme", "[x](java&#10;script:alert(1))", false),
    ("literal tab in pointy brackets", "[x](<java\tscript:alert(1)>)", false),
    ("leading control character", "[x](&#1;javascript:alert(1))", false),
    ("escaped colon", "[x](javascript\\:alert(1))", true),
    ("autolink", "<javascript:alert(1)>", true),
    ("mixed-case autolink", "<JaVaScRiPt:alert(1)>", true),
    ("vbscript autolink", "<vbscript:msgbox(1)>", true),
    ("data autolink", "<data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==>", true),
    ("reference link", "[x][evil]\n\n[evil]: javascript:alert(1)\n", true),
    ("collapsed reference", "[evil][]\n\n[evil]: <javascript:alert(1)> \"title\"\n", true),
    ("shortcut reference", "[evil]\n\n[evil]: vbscript:msgbox(1)\n", true),
    ("image", "![x](javascript:alert(1))", true),
    ("data image", "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)", true),
    ("DATA image with entities", "![x](&#68;ATA:image/svg+xml,<svg>)", true),
    ("reference image", "![x][pic]\n\n[pic]: data:text/html,<script>alert(1)</script>\n", true),
    ("image inside an unsafe link", "[![x](https://example.com/a.png)](javascript:alert(1))", true),
    ("unsafe image inside a link", "[![x](javascript:alert(1))](https://example.com)", true),
    ("file scheme", "[x](file:///etc/passwd)", true),
    ("title breakout", "[x](https://example.com \"a\\\" onmouseover=\\\"alert(1)\")", false),
    ("image title breakout", "![x](a.png \"\\\" onerror=\\\"alert(1)\")", false),
    ("code fence info", "```js\" onload=\"alert(1)\n code\n```\n", false),
    ("code span", "`<script>alert(1)</script>`", false),
    ("footnote label", "a[^\"><script>alert(1)</script>]\n\n[^\"><script>alert(1)</script>]: x\n", true),
    ("HTML in a footnote", "a[^1]\n\n[^1]: <img src=x onerror=alert(1)>\n", false),
    ("xmpp autolink", "xmpp:someone@example.com", false),
    ("quote in a www autolink", "www.example.com/\"onmouseover=\"alert(1)", false),
    ("script tag after an autolink", "https://example.com<script>alert(1)</script>", true),
];

/// The GFM extensions, all on: the sanitizer must hold with them too.
const EXTENSIONS: [(&str, &str); 3] = [("autolink", "true"), ("footnotes", "true"), ("tagfilter", "true")];

#[test]
fn nothing_that_runs_script_reaches_the_html() {
    let mut failures = Vec::new();
    for (name, markdown, dangerous_unsanitized) in EVASIONS {
        let html = render(markdown, None);
        let problems = violations(&html);
        if !problems.is_empty() {
            failures.push(format!("{name}: {problems:?} in\n{html}"));
        }
        if render(markdown, Some(true)) != html {
            failures.push(format!("{name}: sanitize=true is not the default"));
        }
        let extended = support::render_with(markdown, &EXTENSIONS);
        let problems = violations(&extended);
        if !problems.is_empty() {
            failures.push(format!("{name}, with the GFM extensions: {problems:?} in\n{extended}"));
        }
        let unsanitized = render(markdown, Some(false));
        if violations(&unsanitized).is_empty() == *dangerous_unsanitized {
            failures.push(format!(
                "{name}: without sanitizing, the check finds {:?} in\n{unsanitized}",
                violations(&unsanitized)
            ));
        }
    }
    assert!(failures.is_empty(), "{} of {} cases:\n{}", failures.len(), EVASIONS.len(), failures.join("\n"));
}

#[test]
fn raw_html_is_shown_as_text_and_safe_links_stay() {
    assert_eq!(render("<script>alert(1)</script>\n", None), "<p>&lt;script&gt;alert(1)&lt;/script&gt;\n</p>\n");
    assert_eq!(render("a <b>b</b>", None), "<p>a &lt;b&gt;b&lt;/b&gt;</p>\n");
    assert_eq!(render("[x](javascript:alert(1))", None), "<p>x</p>\n");
    assert_eq!(
        render("[a](https://example.com) [b](mailto:x@example.com) [c](../rel.md#s) <https://example.org>", None),
        "<p><a href=\"https://example.com\">a</a> <a href=\"mailto:x@example.com\">b</a> \
         <a href=\"../rel.md#s\">c</a> <a href=\"https://example.org\">https://example.org</a></p>\n"
    );
    assert_eq!(render("![pic](img/a.png \"t\")", None), "<p><img src=\"img/a.png\" alt=\"pic\" title=\"t\" /></p>\n");
    assert_eq!(
        render("<someone@example.com>", None),
        "<p><a href=\"mailto:someone@example.com\">someone@example.com</a></p>\n"
    );
}

#[test]
fn the_scheme_check_reads_urls_as_browsers_do() {
    assert_eq!(scheme(" \u{1}Java\tScript:alert(1)").as_deref(), Some("javascript"));
    assert_eq!(scheme("../a:b"), None);
    assert_eq!(scheme("https://x").as_deref(), Some("https"));
    assert_eq!(violations("<a href=\"jav&#x09;ascript:x\">"), ["href with scheme javascript: \"jav\tascript:x\""]);
}
