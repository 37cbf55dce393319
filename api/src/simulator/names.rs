//! Who the simulated sessions belong to and what they run. A short list of its own: the seed's lists are
//! private to the database module, and a broker would not know them anyway.

/// (display name, email)
pub const PEOPLE: &[(&str, &str)] = &[
    ("Mary Smith", "mary.smith@example.com"),
    ("Liam O'Brien", "liam.obrien@example.com"),
    ("Olivia Johnson", "olivia.johnson@example.com"),
    ("Noah Williams", "noah.williams@example.com"),
    ("Zoë Dubois", "zoe.dubois@example.fr"),
    ("François Lefèvre", "francois.lefevre@example.fr"),
    ("Hélène Martin", "helene.martin@example.fr"),
    ("Jürgen Müller", "juergen.mueller@example.de"),
    ("Käthe Schröder", "kaethe.schroeder@example.de"),
    ("Lukas Weiß", "lukas.weiss@example.de"),
    ("José García", "jose.garcia@example.es"),
    ("Lucía Fernández", "lucia.fernandez@example.es"),
    ("João Gonçalves", "joao.goncalves@example.com.br"),
    ("Ana Conceição", "ana.conceicao@example.com.br"),
    ("Søren Kierkegaard", "soren.kierkegaard@example.dk"),
    ("Åsa Lindström", "asa.lindstrom@example.se"),
    ("Małgorzata Wójcik", "malgorzata.wojcik@example.pl"),
    ("Tomáš Novák", "tomas.novak@example.cz"),
    ("Ayşe Yılmaz", "ayse.yilmaz@example.com.tr"),
    ("Mehmet Aydın", "mehmet.aydin@example.com.tr"),
    ("Дмитрий Иванов", "dmitry.ivanov@example.ru"),
    ("Νίκος Παπαδόπουλος", "nikos.papadopoulos@example.gr"),
    ("王伟", "wang.wei@example.cn"),
    ("李娜", "li.na@example.cn"),
    ("佐藤健", "sato.ken@example.jp"),
    ("鈴木花子", "suzuki.hanako@example.jp"),
    ("김민준", "kim.minjun@example.kr"),
    ("Priya Sharma", "priya.sharma@example.in"),
    ("Arjun Patel", "arjun.patel@example.in"),
    ("Nguyễn Văn An", "nguyen.van.an@example.vn"),
    ("Oluwaseun Adeyemi", "oluwaseun.adeyemi@example.ng"),
    ("Fatima Al-Sayed", "fatima.alsayed@example.eg"),
];

pub const APPS: &[&str] = &[
    "LibreOffice Writer",
    "LibreOffice Calc",
    "GIMP",
    "Inkscape",
    "Blender",
    "Firefox",
    "Visual Studio Code",
    "RStudio",
    "MATLAB",
    "QGIS",
    "FreeCAD",
    "Jupyter Lab",
    "DBeaver",
    "Krita",
];

pub const REGIONS: &[&str] = &["eu", "us", "ap"];
/// Hosts per region: `host-eu-01` to `host-eu-12`.
pub const HOSTS_PER_REGION: u32 = 12;
