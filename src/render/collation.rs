//! Names in the order a language's readers expect (issue #20.6): Chinese
//! by pinyin, English alphabetically, through ICU4X's collator and its
//! compiled CLDR data (a maintained collation, not a hand-made table of
//! readings).

use icu_collator::Collator;
use icu_collator::options::CollatorOptions;
use icu_locale_core::Locale;

/// Sorts `items` by `name` in the collation of the language `code` (a
/// BCP 47 tag: `zh`, `en`); by code point when ICU has no collation for it.
pub fn sort_by_name<T>(items: &mut [T], code: &str, name: impl Fn(&T) -> &str) {
    let collator = code
        .parse::<Locale>()
        .ok()
        .and_then(|l| Collator::try_new((&l).into(), CollatorOptions::default()).ok());
    match collator {
        Some(c) => items.sort_by(|a, b| c.compare(name(a), name(b))),
        None => items.sort_by(|a, b| name(a).cmp(name(b))),
    }
}

#[cfg(test)]
mod tests {
    use super::sort_by_name;

    #[test]
    fn chinese_sorts_by_pinyin_and_english_alphabetically() {
        // ān quán, dǎng jiàn, gāo děng, jiào shī, xué qián, zhí yè
        let mut zh = vec!["职业教育", "学前教育", "党建", "安全", "教师", "高等教育"];
        sort_by_name(&mut zh, "zh", |s| s);
        assert_eq!(
            zh,
            ["安全", "党建", "高等教育", "教师", "学前教育", "职业教育"]
        );
        let mut en = vec!["safety", "Preschool", "boarding", "Teachers"];
        sort_by_name(&mut en, "en", |s| s);
        assert_eq!(en, ["boarding", "Preschool", "safety", "Teachers"]);
    }
}
