//! The README's table of template variables is made from the typed
//! template contexts (src/render/context/): their fields and doc comments
//! (issue #16.4). Run with PLANPUB_UPDATE_README=1 to rewrite it.

/// One field of a context struct, as its source says.
struct Field {
    name: String,
    ty: String,
    doc: String,
    flatten: bool,
}

/// One context struct: its name, doc comment and fields.
struct Context {
    name: String,
    doc: String,
    fields: Vec<Field>,
}

/// The context structs of the files, in their order.
fn contexts(sources: &[&str]) -> Vec<Context> {
    let mut out = Vec::new();
    for source in sources {
        let mut doc = Vec::new();
        let mut flatten = false;
        let mut current: Option<Context> = None;
        for line in source.lines().map(str::trim) {
            if let Some(d) = line.strip_prefix("///") {
                doc.push(d.trim().to_string());
            } else if line.starts_with("#[serde(flatten)]") {
                flatten = true;
            } else if line.starts_with("#[") {
            } else if let Some(rest) = line.strip_prefix("pub struct ") {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                current = Some(Context {
                    name,
                    doc: doc.join(" "),
                    fields: Vec::new(),
                });
                doc.clear();
            } else if line == "}" {
                out.extend(current.take());
                doc.clear();
            } else if let (Some(c), Some(rest)) = (current.as_mut(), line.strip_prefix("pub ")) {
                if let Some((name, ty)) = rest.split_once(':') {
                    c.fields.push(Field {
                        name: name.trim().trim_start_matches("r#").to_string(),
                        ty: ty.trim().trim_end_matches(',').to_string(),
                        doc: doc.join(" "),
                        flatten,
                    });
                }
                doc.clear();
                flatten = false;
            } else {
                doc.clear();
            }
        }
    }
    out
}

/// A field's type in words: `list of TagContext`, `text or null`.
fn type_in_words(ty: &str, known: &[String]) -> String {
    let ty = ty
        .replace("&'a ", "")
        .replace("&'static ", "")
        .replace("<'a>", "")
        .replace('&', "");
    let ty = ty.trim();
    if let Some(inner) = ty.strip_prefix("Option<").and_then(|t| t.strip_suffix('>')) {
        return format!("{} or null", type_in_words(inner, known));
    }
    if let Some(inner) = ty.strip_prefix("Vec<").and_then(|t| t.strip_suffix('>')) {
        return format!("list of {}", type_in_words(inner, known));
    }
    if let Some(inner) = ty.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        return format!("list of {}", type_in_words(inner, known));
    }
    match ty {
        "str" | "String" => "text".into(),
        "u32" | "usize" | "i64" => "number".into(),
        "bool" => "true or false".into(),
        "BTreeMap<String, str>" => "map of text".into(),
        other if known.iter().any(|k| k == other) => format!("`{other}`"),
        other => panic!("no words for the type `{other}`: add them to docs.rs"),
    }
}

/// The templates and the context each gets, as the README lists them.
const TEMPLATES: [(&str, &str); 8] = [
    ("home.html", "HomePage"),
    ("plan.html", "PlanPage"),
    ("item.html", "ItemPage"),
    ("list.html", "ListPage"),
    ("search.html", "SearchPage"),
    ("404.html", "NotFoundPage"),
    ("method.html", "MethodPage"),
    ("partials/item_row.html", "ItemRowPage"),
];

/// The README section: every template's context and every part of them,
/// each a table of its fields.
fn template_variables(sources: &[&str]) -> String {
    let all = contexts(sources);
    let known: Vec<String> = all.iter().map(|c| c.name.clone()).collect();
    let mut out = String::from(
        "| template | gets |\n| --- | --- |\n| every page | the fields of `Globals` |\n",
    );
    for (template, context) in TEMPLATES {
        out.push_str(&format!("| `{template}` | the fields of `{context}` |\n"));
    }
    for c in &all {
        out.push_str(&format!("\n`{}`: {}\n\n", c.name, c.doc));
        out.push_str("| field | type | what it holds |\n| --- | --- | --- |\n");
        for f in &c.fields {
            let (name, ty) = if f.flatten {
                (
                    "…".to_string(),
                    format!("the fields of {}", type_in_words(&f.ty, &known)),
                )
            } else {
                (format!("`{}`", f.name), type_in_words(&f.ty, &known))
            };
            out.push_str(&format!("| {name} | {ty} | {} |\n", f.doc));
        }
    }
    out
}

const BEGIN: &str = "<!-- template variables: generated from src/render/context/ by \
                     tests/it/template_variables.rs -->\n";
const END: &str = "<!-- end of template variables -->\n";

// issue #16.4: the README's template variables are the typed contexts'
// fields and doc comments, not a list kept in step by hand.
#[test]
fn readme_documents_every_template_variable() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let sources: Vec<String> = ["common.rs", "pages.rs", "item.rs", "plan.rs", "method.rs"]
        .iter()
        .map(|f| std::fs::read_to_string(repo.join("src/render/context").join(f)).unwrap())
        .collect();
    let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
    let generated = template_variables(&sources);
    let path = repo.join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let (Some(start), Some(end)) = (readme.find(BEGIN), readme.find(END)) else {
        panic!("README.md has no generated template variables between {BEGIN:?} and {END:?}");
    };
    if std::env::var_os("PLANPUB_UPDATE_README").is_some() {
        let updated = format!("{}{BEGIN}{generated}{}", &readme[..start], &readme[end..]);
        std::fs::write(&path, updated).expect("write README.md");
        return;
    }
    assert!(
        readme[start + BEGIN.len()..end] == generated,
        "README.md's template variables differ from the contexts' doc comments; \
         run PLANPUB_UPDATE_README=1 cargo test --test it template_variables to update it"
    );
}

// A context field without a doc comment would leave a blank in the table.
#[test]
fn every_context_field_is_documented() {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for f in ["common.rs", "pages.rs", "item.rs", "plan.rs", "method.rs"] {
        let source = std::fs::read_to_string(repo.join("src/render/context").join(f)).unwrap();
        for c in contexts(&[&source]) {
            assert!(!c.doc.is_empty(), "{f}: `{}` has no doc comment", c.name);
            for field in &c.fields {
                assert!(
                    field.flatten || !field.doc.is_empty(),
                    "{f}: `{}.{}` has no doc comment",
                    c.name,
                    field.name
                );
            }
        }
    }
}
