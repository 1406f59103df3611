//! Ferris's speech bubble: the text word-wrapped to a width, framed the way
//! cowsay frames it, with Ferris below.

/// Ferris, under the bubble's tail.
const FERRIS: &str = r"        \
         \
            _~^~^~_
        \) /  o o  \ (/
          '_   -   _'
          / '-----' \";

/// `text` wrapped at `width` columns (at least 1) in a bubble above Ferris.
/// Lines break between words; a word longer than the width is split; line
/// breaks in the text are kept. Width counts characters.
pub fn say(text: &str, width: usize) -> String {
    let lines = wrap(text, width.max(1));
    let inner = lines.iter().map(|line| line.chars().count()).max().unwrap_or(0);
    let mut drawing = format!(" {}\n", "_".repeat(inner + 2));
    for (i, line) in lines.iter().enumerate() {
        let (open, close) = match (i, lines.len()) {
            (_, 1) => ('<', '>'),
            (0, _) => ('/', '\\'),
            (i, n) if i == n - 1 => ('\\', '/'),
            _ => ('|', '|'),
        };
        let padding = " ".repeat(inner - line.chars().count());
        drawing.push_str(&format!("{open} {line}{padding} {close}\n"));
    }
    drawing.push_str(&format!(" {}\n", "-".repeat(inner + 2)));
    drawing.push_str(FERRIS);
    drawing
}

/// The lines of `text` wrapped at `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.replace('\t', "    ").lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let mut word: Vec<char> = word.chars().collect();
            let length = line.chars().count();
            if length > 0 && length + 1 + word.len() > width {
                lines.push(std::mem::take(&mut line));
            }
            while word.len() > width {
                if !line.is_empty() {
                    lines.push(std::mem::take(&mut line));
                }
                lines.push(word.drain(..width).collect());
            }
            if !line.is_empty() && !word.is_empty() {
                line.push(' ');
            }
            line.extend(word);
        }
        lines.push(line);
    }
    if lines.is_empty() {
        lines.push(String::new());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_uses_angle_brackets() {
        let expected = " _______\n< Hello >\n -------\n".to_owned() + FERRIS;
        assert_eq!(say("Hello", 40), expected);
    }

    #[test]
    fn several_lines_use_slashes_and_bars() {
        let drawing = say("one two three four five six", 9);
        let bubble: Vec<&str> = drawing.lines().take(6).collect();
        assert_eq!(
            bubble,
            [" ___________", "/ one two   \\", "| three     |", "| four five |", "\\ six       /", " -----------"]
        );
        assert!(drawing.ends_with(FERRIS));
    }

    #[test]
    fn long_words_are_split_and_breaks_kept() {
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("a\n\nb", 10), ["a", "", "b"]);
        assert_eq!(wrap("", 10), [""]);
        assert_eq!(wrap("ab cdefgh", 3), ["ab", "cde", "fgh"]);
    }

    #[test]
    fn width_counts_characters_not_bytes() {
        assert_eq!(wrap("héllo wörld", 5), ["héllo", "wörld"]);
    }
}
