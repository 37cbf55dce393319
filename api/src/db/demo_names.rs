//! Real-world names for demo data, by culture: (how the name is written, its ASCII form for the email).

pub struct Culture {
    pub given: &'static [(&'static str, &'static str)],
    pub family: &'static [(&'static str, &'static str)],
    pub family_first: bool,
    /// Between the two parts: none for Chinese, Japanese and Korean names.
    pub separator: &'static str,
    pub domain: &'static str,
}

pub const CULTURES: &[Culture] = &[
    Culture {
        given: &[("John", "john"), ("Joe", "joe"), ("Mary", "mary"), ("Olivia", "olivia"), ("James", "james"), ("Emma", "emma"), ("Liam", "liam"), ("Ava", "ava"), ("Noah", "noah"), ("Sophia", "sophia"), ("Joanna", "joanna"), ("Benjamin", "benjamin")],
        family: &[("Smith", "smith"), ("Johnson", "johnson"), ("O'Brien", "obrien"), ("Williams", "williams"), ("Brown", "brown"), ("Jones", "jones"), ("Miller", "miller"), ("Davis", "davis"), ("O'Connor", "oconnor"), ("Taylor", "taylor"), ("Anderson", "anderson"), ("Thomas", "thomas")],
        family_first: false,
        separator: " ",
        domain: "example.com",
    },
    Culture {
        given: &[("Zoë", "zoe"), ("Élodie", "elodie"), ("François", "francois"), ("Hélène", "helene"), ("Jérôme", "jerome"), ("Amélie", "amelie"), ("Noël", "noel"), ("Chloé", "chloe"), ("Léa", "lea"), ("Gaël", "gael")],
        family: &[("Dubois", "dubois"), ("Lefèvre", "lefevre"), ("Girard", "girard"), ("Bérénger", "berenger"), ("Moreau", "moreau"), ("D'Arcy", "darcy"), ("Fontaine", "fontaine"), ("Rousseau", "rousseau"), ("Lemaître", "lemaitre"), ("Mercier", "mercier")],
        family_first: false,
        separator: " ",
        domain: "exemple.fr",
    },
    Culture {
        given: &[("Jürgen", "juergen"), ("Jörg", "joerg"), ("Małgorzata", "malgorzata"), ("Łukasz", "lukasz"), ("Zoltán", "zoltan"), ("Dvořák", "dvorak"), ("Søren", "soren"), ("Åsa", "asa"), ("Björn", "bjorn"), ("Ingrid", "ingrid")],
        family: &[("Müller", "mueller"), ("Schröder", "schroeder"), ("Wiśniewski", "wisniewski"), ("Kovács", "kovacs"), ("Nováková", "novakova"), ("Østergaard", "ostergaard"), ("Lindqvist", "lindqvist"), ("Johansson", "johansson"), ("Weiß", "weiss"), ("Jovanović", "jovanovic")],
        family_first: false,
        separator: " ",
        domain: "beispiel.de",
    },
    Culture {
        given: &[("José", "jose"), ("María", "maria"), ("João", "joao"), ("Inês", "ines"), ("Sofía", "sofia"), ("Joaquín", "joaquin"), ("Begoña", "begona"), ("Íñigo", "inigo"), ("Jorge", "jorge"), ("Lucía", "lucia")],
        family: &[("García", "garcia"), ("Fernández", "fernandez"), ("Muñoz", "munoz"), ("Gonçalves", "goncalves"), ("Peña", "pena"), ("Jiménez", "jimenez"), ("Araújo", "araujo"), ("Núñez", "nunez"), ("Rodríguez", "rodriguez"), ("Simões", "simoes")],
        family_first: false,
        separator: " ",
        domain: "ejemplo.es",
    },
    Culture {
        given: &[("Giovanni", "giovanni"), ("Niccolò", "niccolo"), ("Giulia", "giulia"), ("Lorenzo", "lorenzo"), ("Chiara", "chiara"), ("Joseph", "joseph")],
        family: &[("Rossi", "rossi"), ("D'Angelo", "dangelo"), ("Esposito", "esposito"), ("Bianchi", "bianchi"), ("Colombo", "colombo"), ("De Luca", "deluca")],
        family_first: false,
        separator: " ",
        domain: "esempio.it",
    },
    Culture {
        given: &[("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"), ("强", "qiang"), ("磊", "lei"), ("洋", "yang")],
        family: &[("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"), ("赵", "zhao"), ("黄", "huang")],
        family_first: true,
        separator: "",
        domain: "example.cn",
    },
    Culture {
        given: &[("翔太", "shota"), ("陽菜", "hina"), ("大翔", "hiroto"), ("結衣", "yui"), ("蓮", "ren"), ("美咲", "misaki")],
        family: &[("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi"), ("田中", "tanaka"), ("渡辺", "watanabe"), ("伊藤", "ito")],
        family_first: true,
        separator: "",
        domain: "example.jp",
    },
    Culture {
        given: &[("민준", "minjun"), ("서연", "seoyeon"), ("지훈", "jihoon"), ("하은", "haeun"), ("도윤", "doyun"), ("지우", "jiwoo")],
        family: &[("김", "kim"), ("이", "lee"), ("박", "park"), ("최", "choi"), ("정", "jung"), ("강", "kang")],
        family_first: true,
        separator: "",
        domain: "example.kr",
    },
    Culture {
        given: &[("Дмитрий", "dmitry"), ("Анна", "anna"), ("Сергей", "sergey"), ("Ольга", "olga"), ("Иван", "ivan"), ("Юлия", "yulia"), ("Алексей", "alexey"), ("Екатерина", "ekaterina")],
        family: &[("Иванов", "ivanov"), ("Смирнова", "smirnova"), ("Кузнецов", "kuznetsov"), ("Попова", "popova"), ("Соколов", "sokolov"), ("Лебедева", "lebedeva"), ("Новиков", "novikov"), ("Морозова", "morozova")],
        family_first: false,
        separator: " ",
        domain: "example.ru",
    },
    Culture {
        given: &[("Γιώργος", "giorgos"), ("Μαρία", "maria"), ("Νίκος", "nikos"), ("Ελένη", "eleni"), ("Δημήτρης", "dimitris"), ("Σοφία", "sofia")],
        family: &[("Παπαδόπουλος", "papadopoulos"), ("Παππά", "pappa"), ("Οικονόμου", "oikonomou"), ("Γεωργίου", "georgiou"), ("Νικολάου", "nikolaou"), ("Βασιλείου", "vasileiou")],
        family_first: false,
        separator: " ",
        domain: "example.gr",
    },
    Culture {
        given: &[("محمد", "mohammed"), ("فاطمة", "fatima"), ("أحمد", "ahmed"), ("مريم", "maryam"), ("علي", "ali"), ("نور", "nour")],
        family: &[("الأحمد", "alahmad"), ("حسن", "hassan"), ("العلي", "alali"), ("خليل", "khalil"), ("منصور", "mansour"), ("سليمان", "suleiman")],
        family_first: false,
        separator: " ",
        domain: "example.ae",
    },
    Culture {
        given: &[("Aarav", "aarav"), ("Priya", "priya"), ("अर्जुन", "arjun"), ("Ananya", "ananya"), ("Rohan", "rohan"), ("दीपिका", "deepika"), ("Sai", "sai"), ("Lakshmi", "lakshmi")],
        family: &[("Sharma", "sharma"), ("Patel", "patel"), ("गुप्ता", "gupta"), ("Reddy", "reddy"), ("Iyer", "iyer"), ("Nair", "nair"), ("Singh", "singh"), ("Banerjee", "banerjee")],
        family_first: false,
        separator: " ",
        domain: "example.in",
    },
    Culture {
        given: &[("Ngozi", "ngozi"), ("Chinedu", "chinedu"), ("Amara", "amara"), ("Kwame", "kwame"), ("Ayodele", "ayodele"), ("Wanjiru", "wanjiru")],
        family: &[("Okafor", "okafor"), ("Adeyemi", "adeyemi"), ("Mensah", "mensah"), ("Kamau", "kamau"), ("Nwosu", "nwosu"), ("Abubakar", "abubakar")],
        family_first: false,
        separator: " ",
        domain: "example.ng",
    },
    Culture {
        given: &[("Văn An", "an"), ("Thị Lan", "lan"), ("Minh", "minh"), ("Đức", "duc"), ("Ngọc", "ngoc"), ("Hương", "huong")],
        family: &[("Nguyễn", "nguyen"), ("Trần", "tran"), ("Lê", "le"), ("Phạm", "pham"), ("Hoàng", "hoang"), ("Võ", "vo")],
        family_first: true,
        separator: " ",
        domain: "example.vn",
    },
    Culture {
        given: &[("Mehmet", "mehmet"), ("Ayşe", "ayse"), ("Çağrı", "cagri"), ("Gülşen", "gulsen"), ("İbrahim", "ibrahim"), ("Şule", "sule")],
        family: &[("Yılmaz", "yilmaz"), ("Öztürk", "ozturk"), ("Çelik", "celik"), ("Şahin", "sahin"), ("Doğan", "dogan"), ("Aydın", "aydin")],
        family_first: false,
        separator: " ",
        domain: "example.com.tr",
    },
];

pub const APPS: &[&str] = &[
    "LibreOffice Writer", "LibreOffice Calc", "LibreOffice Impress", "GIMP", "Inkscape", "Blender",
    "Firefox", "Chromium", "Thunderbird", "Visual Studio Code", "IntelliJ IDEA", "Eclipse",
    "PyCharm", "RStudio", "MATLAB", "Octave", "QGIS", "AutoCAD", "FreeCAD", "KiCad", "Krita",
    "Audacity", "Kdenlive", "DBeaver", "pgAdmin", "Jupyter Lab", "SAS Studio", "Stata", "SPSS",
    "Tableau Desktop", "Power BI Desktop", "Adobe Acrobat", "Microsoft Excel", "Microsoft Word",
    "Xfce Terminal",
];
