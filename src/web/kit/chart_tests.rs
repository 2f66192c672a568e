use super::*;
use quick_xml::Reader;
use quick_xml::events::Event;

/// Parses `xml` whole (end tags must match); returns the text of every `<title>`, and
/// the names of the elements met.
fn parse(xml: &str) -> (Vec<String>, Vec<String>) {
    let mut reader = Reader::from_str(xml);
    let (mut titles, mut names) = (Vec::new(), Vec::new());
    let mut in_title = false;
    let mut depth = 0i32;
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                depth += 1;
                let name = e.name().into_inner().to_string();
                in_title = name == "title";
                if in_title {
                    titles.push(String::new());
                }
                names.push(name);
            }
            Event::Empty(e) => names.push(e.name().into_inner().to_string()),
            Event::End(_) => {
                depth -= 1;
                in_title = false;
            }
            Event::Text(t) if in_title => {
                let raw = t.to_string();
                if let Some(last) = titles.last_mut() {
                    last.push_str(&unescape(&raw));
                }
            }
            Event::GeneralRef(r) if in_title => {
                let name = r.to_string();
                if let Some(last) = titles.last_mut() {
                    last.push_str(&unescape(&format!("&{name};")));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(depth, 0, "every element closed");
    (titles, names)
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn months(series: Vec<Series>) -> BarChart {
    BarChart {
        id: "per-month".into(),
        title: "Tiếp nhận và trả lời".into(),
        desc: "12 tháng gần nhất".into(),
        categories: vec!["01/2026".into(), "02/2026".into(), "03/2026".into()],
        series,
        unit: Unit::Count,
        orientation: Orientation::Columns,
        numbers: Numbers::Vi,
    }
}

fn two_series() -> Vec<Series> {
    vec![
        Series {
            label: "Tiếp nhận".into(),
            values: vec![1200.0, 98.0, 0.0],
        },
        Series {
            label: "Đã trả lời".into(),
            values: vec![1100.0, 60.0, 0.0],
        },
    ]
}

#[test]
fn columns_are_well_formed_accessible_svg() {
    let view = months(two_series()).render();
    let (titles, names) = parse(&view.svg);
    assert!(view.svg.starts_with("<svg "));
    assert!(view.svg.contains(r#"role="img""#));
    assert!(
        view.svg
            .contains(r#"aria-labelledby="per-month-title per-month-desc""#)
    );
    assert!(view.svg.contains(r#"width="100%""#) && view.svg.contains("viewBox="));
    assert_eq!(titles[0], "Tiếp nhận và trả lời");
    assert!(names.contains(&"desc".to_string()));
    assert_eq!(names.iter().filter(|n| *n == "rect").count(), 6 + 2 + 1);
    assert!(titles.contains(&"01/2026, Tiếp nhận: 1.200".to_string()));
    // The legend names both series.
    assert!(view.svg.contains(">Đã trả lời</text>"));
    parse(&view.table);
    assert!(
        view.table
            .contains("<caption>Tiếp nhận và trả lời</caption>")
    );
    assert!(view.table.contains("<td>1.200</td><td>1.100</td>"));
}

#[test]
fn every_text_is_escaped() {
    let mut chart = months(vec![Series {
        label: "<b>A & B</b>".into(),
        values: vec![1.0, 2.0, 3.0],
    }]);
    chart.title = "Tiêu đề \"x\" <script>alert('x')</script>".into();
    chart.desc = "a & b".into();
    chart.categories[0] = "</svg><script>".into();
    chart.id = "x\" onload=\"y".into();
    for view in [
        chart.render(),
        BarChart {
            orientation: Orientation::Rows,
            ..chart.clone()
        }
        .render(),
    ] {
        let (titles, _) = parse(&view.svg);
        parse(&view.table);
        assert!(!view.svg.contains("<script>") && !view.table.contains("<script>"));
        assert!(!view.svg.contains("onload=\""));
        assert!(
            titles
                .iter()
                .any(|t| t.starts_with("Tiêu đề \"x\" <script>"))
        );
        assert!(titles.iter().any(|t| t.starts_with("</svg><script>")));
    }
    let share = ShareChart {
        id: "s".into(),
        title: "A & B".into(),
        desc: "<x>".into(),
        parts: vec![Part {
            label: "<i>ok</i>".into(),
            value: 1.0,
        }],
        numbers: Numbers::Vi,
    }
    .render();
    let (titles, _) = parse(&share.svg);
    parse(&share.table);
    assert!(titles.contains(&"<i>ok</i>: 1 (100 %)".to_string()));
}

#[test]
fn empty_and_zero_data_draw_an_empty_chart() {
    let empty = months(Vec::new());
    let view = BarChart {
        categories: Vec::new(),
        ..empty
    }
    .render();
    parse(&view.svg);
    parse(&view.table);
    let zeros = months(vec![Series {
        label: "x".into(),
        values: vec![0.0, 0.0, 0.0],
    }])
    .render();
    let (_, names) = parse(&zeros.svg);
    assert!(!zeros.svg.contains("NaN") && !zeros.svg.contains("inf"));
    assert_eq!(names.iter().filter(|n| *n == "rect").count(), 3);
    let rows = BarChart {
        orientation: Orientation::Rows,
        series: Vec::new(),
        ..months(Vec::new())
    }
    .render();
    parse(&rows.svg);
    assert!(!rows.svg.contains("NaN"));
    let share = ShareChart {
        id: "s".into(),
        title: "t".into(),
        desc: "d".into(),
        parts: vec![
            Part {
                label: "a".into(),
                value: 0.0,
            },
            Part {
                label: "b".into(),
                value: f64::NAN,
            },
        ],
        numbers: Numbers::En,
    }
    .render();
    parse(&share.svg);
    assert!(!share.svg.contains("NaN"));
    assert!(share.table.contains("<td>0 (0 %)</td>"));
}

#[test]
fn percent_rows_print_the_value_at_the_bar_end_and_keep_long_names() {
    let long = "Phòng Tổ chức cán bộ và Công chức, viên chức, Thi đua khen thưởng";
    let chart = BarChart {
        id: "on-time".into(),
        title: "Tỷ lệ đúng hạn".into(),
        desc: "theo đơn vị".into(),
        categories: vec![long.into(), "Văn phòng Sở".into()],
        series: vec![Series {
            label: "Đúng hạn".into(),
            values: vec![87.54, 100.0],
        }],
        unit: Unit::Percent,
        orientation: Orientation::Rows,
        numbers: Numbers::Vi,
    };
    let view = chart.render();
    let (titles, _) = parse(&view.svg);
    assert!(titles.contains(&format!("{long}: 87,5 %")));
    assert!(view.svg.contains(">87,5 %</text>"));
    assert!(view.svg.contains(">100 %</text>"));
    assert!(view.svg.contains('…'), "the long name is cut");
    // 100 % fills the whole bar space; 87.5 % is that share of it.
    let bar_space = WIDTH - WIDTH * 0.42 - 56.0;
    assert!(view.svg.contains(&format!(r#"width="{bar_space:.1}""#)));
    assert!(
        view.svg
            .contains(&format!(r#"width="{:.1}""#, bar_space * 0.8754))
    );
    assert!(
        view.table
            .contains(&format!("<th scope=\"row\">{long}</th><td>87,5 %</td>"))
    );
    let en = BarChart {
        numbers: Numbers::En,
        ..chart
    }
    .render();
    assert!(en.svg.contains(">87.5 %</text>"));
}

#[test]
fn shares_print_counts_and_percentages() {
    let view = ShareChart {
        id: "ratings".into(),
        title: "Mức độ hài lòng".into(),
        desc: "đánh giá của người dân".into(),
        parts: vec![
            Part {
                label: "Hài lòng".into(),
                value: 60.0,
            },
            Part {
                label: "Bình thường".into(),
                value: 30.0,
            },
            Part {
                label: "Không hài lòng".into(),
                value: 10.0,
            },
        ],
        numbers: Numbers::Vi,
    }
    .render();
    parse(&view.svg);
    assert!(view.svg.contains(">Hài lòng: 60 (60 %)</text>"));
    assert!(view.svg.contains(">Không hài lòng: 10 (10 %)</text>"));
    assert!(view.table.contains("<td>30 (30 %)</td>"));
}

#[test]
fn numbers_axes_and_names() {
    assert_eq!(number(1234567.0, Unit::Count, Numbers::Vi), "1.234.567");
    assert_eq!(number(1234.0, Unit::Count, Numbers::En), "1,234");
    assert_eq!(number(0.0, Unit::Percent, Numbers::Vi), "0 %");
    assert_eq!(number(66.666, Unit::Percent, Numbers::Vi), "66,7 %");
    assert_eq!(nice_max(0.0), 1.0);
    assert_eq!(nice_max(3.0), 5.0);
    assert_eq!(nice_max(1200.0), 2000.0);
    assert_eq!(nice_max(100.0), 100.0);
    assert_eq!(nice_max(230.0), 250.0);
    assert_eq!(nice_max(2.2), 5.0, "no 2.5 for small counts");
    assert_eq!(ticks(5.0, Unit::Count), vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0]);
    assert_eq!(ticks(2.0, Unit::Count), vec![0.0, 1.0, 2.0]);
    assert_eq!(
        ticks(100.0, Unit::Percent),
        vec![0.0, 25.0, 50.0, 75.0, 100.0]
    );
    assert_eq!(truncate("Văn phòng Sở", 20), "Văn phòng Sở");
    assert_eq!(truncate("Văn phòng Sở", 6), "Văn p…");
    assert_eq!(safe_id("Per Month_1"), "per-month-1");
    assert_eq!(esc("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
}
