//! The name a new project gets: its folder's, made a valid package name for
//! cargo, npm and Go (lowercase letters, digits and `-`, starting with a letter).

/// The package name for a project in folder `folder_name`, if one can be made.
pub fn project_name(folder_name: &str) -> Option<String> {
    let mut name = String::new();
    for c in folder_name.chars() {
        match c {
            'a'..='z' | '0'..='9' => name.push(c),
            'A'..='Z' => name.push(c.to_ascii_lowercase()),
            _ if !name.is_empty() && !name.ends_with('-') => name.push('-'),
            _ => {}
        }
    }
    let name = name.trim_end_matches('-');
    match name.chars().next() {
        None => None,
        Some(first) if first.is_ascii_digit() => Some(format!("step-{name}")),
        Some(_) => Some(name.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::project_name;

    #[test]
    fn folder_names_become_package_names() {
        assert_eq!(project_name("resize-images").as_deref(), Some("resize-images"));
        assert_eq!(project_name("My Step_2").as_deref(), Some("my-step-2"));
        assert_eq!(project_name("2fa").as_deref(), Some("step-2fa"));
        assert_eq!(project_name("--odd--").as_deref(), Some("odd"));
        assert_eq!(project_name("Größe").as_deref(), Some("gr-e"));
        assert_eq!(project_name("…"), None);
    }
}
