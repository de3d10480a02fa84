/// The words the export generator draws from: people's names by culture, the
/// support team, message texts, closing notes, categories and failure reasons.
///
/// Texts hold the cases real exports hold: accents, CJK, Hangul, Arabic, emoji,
/// commas, double quotes and line breaks. `{n}` in a message text stands for a
/// number drawn per message (an order or invoice number).
enum Names {
    /// Where a contact comes from: the names, country, language and phone prefix
    /// that go together.
    struct Culture {
        let weight: Double
        let firstNames: [String]
        let lastNames: [String]
        /// The share of contacts of this culture with no last name.
        let blankLastName: Double
        let countries: [String]
        let language: String
        let phonePrefix: String
    }

    static let cultures: [Culture] = [
        Culture(weight: 16, firstNames: ["Nurul", "Ahmad", "Siti", "Aisyah", "Faizal", "Hafiz", "Farah", "Amirul", "Zainab", "Syafiq"],
                lastNames: ["Abdullah", "Ismail", "Rahman", "Hassan", "Ibrahim", "Yusof", "Othman", "Rashid"],
                blankLastName: 0.15, countries: ["MY"], language: "ms", phonePrefix: "+601"),
        Culture(weight: 12, firstNames: ["Mei Ling", "Wei Jie", "Jia Hui", "Kai Xin", "Jun Wei", "Hui Min", "Zhi Hao", "Xin Yi"],
                lastNames: ["Tan", "Lim", "Ng", "Wong", "Goh", "Lee", "Chong", "Teo"],
                blankLastName: 0.05, countries: ["SG", "MY"], language: "en", phonePrefix: "+659"),
        Culture(weight: 10, firstNames: ["伟", "芳", "秀英", "敏", "静", "丽", "强", "磊", "婷", "子涵"],
                lastNames: ["王", "李", "张", "刘", "陈", "杨", "黄", "赵"],
                blankLastName: 0.05, countries: ["CN", "TW", "HK"], language: "zh", phonePrefix: "+861"),
        Culture(weight: 5, firstNames: ["花子", "太郎", "美咲", "翔太", "陽菜", "蓮", "Yuki", "Haruto"],
                lastNames: ["佐藤", "鈴木", "高橋", "田中", "Yamamoto", "Watanabe", "伊藤"],
                blankLastName: 0.05, countries: ["JP"], language: "ja", phonePrefix: "+819"),
        Culture(weight: 4, firstNames: ["민준", "서연", "지우", "하준", "Ji-woo", "Min-seo", "도윤"],
                lastNames: ["김", "이", "박", "최", "Kim", "Park", "정"],
                blankLastName: 0.05, countries: ["KR"], language: "ko", phonePrefix: "+8210"),
        Culture(weight: 12, firstNames: ["Putri", "Budi", "Dewi", "Agus", "Rizky", "Sari", "Wahyu", "Indah"],
                lastNames: ["Santoso", "Wijaya", "Saputra", "Pratama", "Hidayat", "Nugroho"],
                blankLastName: 0.45, countries: ["ID"], language: "id", phonePrefix: "+628"),
        Culture(weight: 8, firstNames: ["Priya", "Arjun", "Ananya", "Rahul", "Deepika", "Vikram", "Harpreet", "Sneha"],
                lastNames: ["Kaur", "Singh", "Sharma", "Patel", "Nair", "Iyer", "Reddy", "Menon"],
                blankLastName: 0.08, countries: ["IN", "MY", "SG"], language: "en", phonePrefix: "+919"),
        Culture(weight: 6, firstNames: ["José", "María", "Lucía", "Alejandro", "Sofía", "Martín", "Camila", "Iñigo"],
                lastNames: ["García", "Rodríguez", "Martínez", "Hernández", "López", "Pérez", "Núñez", "Muñoz"],
                blankLastName: 0.05, countries: ["ES", "MX", "AR"], language: "es", phonePrefix: "+346"),
        Culture(weight: 4, firstNames: ["Chloé", "Léa", "Élodie", "François", "Théo", "Hélène", "Noël", "Amélie"],
                lastNames: ["Martin", "Lefèvre", "Dubois", "Moreau", "Girard", "Fontaine", "Bézier"],
                blankLastName: 0.05, countries: ["FR", "BE"], language: "fr", phonePrefix: "+336"),
        Culture(weight: 5, firstNames: ["Jürgen", "Lukas", "Anna", "Sören", "Mia", "Jörg", "Lena", "Björn"],
                lastNames: ["Müller", "Schäfer", "Weiß", "Becker", "Groß", "Köhler", "Schröder"],
                blankLastName: 0.05, countries: ["DE", "AT", "CH"], language: "de", phonePrefix: "+4915"),
        Culture(weight: 5, firstNames: ["Minh", "Thảo", "Huy", "Linh", "Đức", "Phương", "Quỳnh"],
                lastNames: ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng"],
                blankLastName: 0.05, countries: ["VN"], language: "vi", phonePrefix: "+849"),
        Culture(weight: 3, firstNames: ["Ayşe", "Mehmet", "Elif", "Çağrı", "Emre", "Zeynep", "Gökhan"],
                lastNames: ["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Öztürk", "Doğan"],
                blankLastName: 0.05, countries: ["TR"], language: "tr", phonePrefix: "+905"),
        Culture(weight: 2, firstNames: ["Łukasz", "Zofia", "Małgorzata", "Paweł", "Agnieszka", "Wojciech"],
                lastNames: ["Wójcik", "Kowalski", "Nowak", "Zieliński", "Wiśniewska", "Dąbrowski"],
                blankLastName: 0.05, countries: ["PL"], language: "pl", phonePrefix: "+485"),
        Culture(weight: 3, firstNames: ["Omar", "Fatima", "Youssef", "Layla", "Khalid", "Noor", "محمد", "فاطمة"],
                lastNames: ["Haddad", "Al-Farsi", "Mansour", "Khalil", "Nasser", "العلي"],
                blankLastName: 0.2, countries: ["AE", "SA", "EG"], language: "ar", phonePrefix: "+9715"),
        Culture(weight: 9, firstNames: ["Olivia", "James", "Emily", "Liam", "Grace", "Noah", "Chloe", "Jack", "Ava", "Ethan"],
                lastNames: ["Brown", "Smith", "O'Connor", "Johnson", "Taylor", "Walker", "McKenzie", "Hughes"],
                blankLastName: 0.1, countries: ["US", "GB", "AU", "NZ"], language: "en", phonePrefix: "+1"),
    ]

    /// Support agents: first name, last name (the email is built from them).
    static let agents: [(String, String)] = [
        ("Aisha", "Rahman"), ("Daniel", "Tan"), ("Mei Ling", "Wong"), ("Priya", "Nair"), ("Lucas", "Müller"),
        ("Sofia", "Rossi"), ("Omar", "Haddad"), ("Hannah", "Kim"), ("Ethan", "Brooks"), ("Chloé", "Martin"),
        ("Ravi", "Kumar"), ("Grace", "Lee"), ("Nora", "Jensen"), ("Farid", "Hassan"), ("Yuki", "Sato"),
        ("Siti", "Aminah"), ("Marco", "Bianchi"), ("Ingrid", "Solberg"), ("Kevin", "Ong"), ("Amira", "Saleh"),
        ("Tomás", "Alonso"), ("Hye-jin", "Park"), ("Arun", "Pillai"), ("Zoë", "van Dijk"), ("Liam", "Gallagher"),
        ("Nadia", "Kowalczyk"), ("Jun", "Lim"), ("Fatimah", "Zahra"), ("Mateo", "Fernández"), ("Elif", "Arslan"),
        ("Ben", "Carter"), ("Camille", "Dupont"), ("Rizal", "Ahmad"), ("Anika", "Schmidt"), ("Wei", "Chen"),
        ("Leila", "Karimi"), ("Joon", "Choi"), ("Isabela", "Souza"), ("Noah", "Fischer"), ("Meera", "Iyer"),
        ("Hiroshi", "Tanaka"), ("Ana", "Jovanović"), ("Dev", "Malhotra"), ("Clara", "Bergström"), ("Hafiz", "Osman"),
        ("Lina", "Nguyen"), ("Samuel", "Okafor"), ("Julia", "Nowicka"), ("Adam", "Yusuf"), ("Rosa", "Delgado"),
        ("Kenji", "Mori"), ("Emma", "Laurent"), ("Irfan", "Shah"), ("Sara", "Lindqvist"), ("Victor", "Hugo"),
        ("Yasmin", "Aziz"), ("Oskar", "Nieminen"), ("Bea", "Santos"), ("Tariq", "Mahmood"), ("Lucy", "Wright"),
        ("Chen", "Jia Wei"), ("Maya", "Levi"), ("Rafael", "Costa"), ("Aiko", "Fujimoto"),
    ]

    /// Team names with the share of agents whose main team it is.
    static let teams: [(String, Double)] = [
        ("Support", 0.40), ("Sales", 0.20), ("Billing", 0.15), ("Technical", 0.15), ("VIP Care", 0.10),
    ]

    /// Channels: name, type, share of contacts whose main channel it is. The
    /// first five are always there; more are added by seed (5–7 in all).
    static let channels: [(String, String, Double)] = [
        ("WhatsApp Main", "whatsapp_cloud", 0.52),
        ("Facebook Page", "facebook", 0.14),
        ("Website Chat", "custom_channel", 0.11),
        ("Instagram @shop", "instagram", 0.09),
        ("Email (Gmail, support)", "gmail", 0.07),
        ("Telegram Bot", "telegram", 0.04),
        ("LINE Official", "line", 0.03),
    ]

    /// Conversation categories and the team that mostly handles each.
    static let categories: [(String, String)] = [
        ("Order status", "Support"), ("Technical issue", "Technical"), ("Billing", "Billing"),
        ("Sales inquiry", "Sales"), ("Complaint", "Support"), ("Refund request", "Billing"),
        ("Account access", "Technical"), ("Shipping, delivery & returns", "Support"),
    ]

    static let closingNotes: [String] = [
        "Customer asked about refund, processed via bank transfer.",
        "VIP: offered 10% voucher, customer happy 😊",
        "Resolved.\nFollow-up needed next week.",
        "Escalated to billing, see ticket #4512, waiting on finance",
        "Wrong address — courier rerouted, ETA 2 days",
        "Issue: app shows \"Payment failed\"; advised to update the app.",
        "Spam",
        "Duplicate of earlier chat",
        "Told customer to use \"Forgot password\", then log in again",
        "客户询问发票，已发送。",
        "お客様に返金手続きをご案内しました。",
        "Replacement sent 📦",
        "Customer wanted to cancel; offered a discount instead, they stayed 🎉",
        "No reply from customer for 24h.\nClosed automatically.",
        "Pelanggan minta tukar alamat, sudah dikemaskini.",
    ]

    static let failureReasons: [String] = [
        "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
        "Rate limit hit, please retry later",
        "Recipient is not a valid WhatsApp user",
        "Message undeliverable: the user has blocked this account",
        "Media upload failed (file too large, max 16 MB)",
    ]

    static let lifecycles = ["New Lead", "Hot Lead", "Customer", "Churned", ""]
    static let tiers = ["Bronze", "Silver", "Gold"]
    static let emailDomains = ["mail.example.com", "inbox.example.net", "post.example.org"]

    // MARK: Message texts

    /// What contacts write, in English (any contact may write these).
    static let contactEnglish: [String] = [
        "Hi, where is my order?",
        "Where is my order #{n}?",
        "Hello, I was charged twice for order {n}",
        "Can I change my delivery address?",
        "The app keeps crashing when I open it 😕",
        "Is the \"Pro\" plan cheaper if I pay yearly?",
        "Thanks!",
        "ok",
        "👍",
        "Thank you so much 🙏",
        "I need an invoice for my company, please.",
        "Can I return an item I bought, like, two weeks ago?",
        "Hi,\nI ordered two items but only got one.\nCan you check?",
        "My tracking number is {n}, it hasn't moved in 3 days",
        "Do you ship to Singapore?",
        "How do I reset my password?",
        "Still waiting for a reply...",
        "Great, that worked!",
        "The payment page says \"error 502\", what should I do?",
        "Order {n}: wrong size, can I exchange it?",
    ]

    /// What contacts write in their own language, by language code.
    static let contactByLanguage: [String: [String]] = [
        "zh": ["你好，我的订单什么时候发货？", "请问可以退款吗？", "谢谢！", "发票已收到，谢谢 😊", "订单号是{n}，请帮我查一下"],
        "ja": ["いつ届きますか？", "注文番号は{n}です。", "ありがとうございます！", "返品はできますか？"],
        "ko": ["주문한 상품이 아직 안 왔어요.", "감사합니다!", "환불 가능한가요?"],
        "ms": ["Bila barang saya akan sampai?", "Terima kasih!", "Boleh saya tukar alamat penghantaran?", "Saya nak buat pemulangan, boleh?"],
        "id": ["Pesanan saya belum sampai, tolong dicek ya", "Terima kasih banyak!", "Apakah bisa bayar pakai transfer?"],
        "es": ["¿Dónde está mi pedido?", "¡Muchas gracias!", "¿Puedo cambiar la talla?"],
        "de": ["Wo bleibt meine Bestellung?", "Vielen Dank für die schnelle Hilfe!", "Kann ich die Rechnung als PDF bekommen?"],
        "fr": ["Où en est ma commande ?", "Merci beaucoup !", "Je voudrais être remboursé, s'il vous plaît."],
        "vi": ["Đơn hàng của tôi đâu rồi?", "Cảm ơn bạn!", "Tôi muốn đổi địa chỉ giao hàng."],
        "tr": ["Siparişim nerede?", "Çok teşekkürler!", "İade yapabilir miyim?"],
        "pl": ["Gdzie jest moje zamówienie?", "Dziękuję bardzo!", "Czy mogę zmienić adres dostawy?"],
        "ar": ["أين طلبي؟", "شكرا جزيلا", "هل يمكنني استرجاع المبلغ؟"],
    ]

    /// Contact messages that are plain text rather than JSON (older channels).
    static let contactPlain: [String] = [
        "Line one of my question\nand line two, with a comma",
        "Sent from my iPhone",
        "Hello?? anyone there",
    ]

    static let agentEnglish: [String] = [
        "Hi! Thanks for reaching out, let me check that for you.",
        "Could you share your order number, please?",
        "Your order {n} is on its way and should arrive within 2 days.",
        "I've escalated this to our billing team; they'll reply within 24h.",
        "Refund processed. It may take 5–7 business days to appear.",
        "Please try \"Forgot password\" on the login screen.",
        "Here are the steps:\n1. Open Settings\n2. Tap \"Account\"\n3. Choose Reset",
        "Is there anything else I can help you with? 😊",
        "Thanks for your patience 🙏",
        "I've updated your address, you're all set.",
        "Sorry about that! I've sent a replacement, tracking #{n}.",
        "Invoice #{n} is attached to your email.",
        "Got it, one moment please.",
    ]

    static let agentByLanguage: [String: [String]] = [
        "zh": ["您好，请稍等，我帮您查一下。", "退款已处理，请留意。", "还有其他可以帮您的吗？"],
        "ja": ["お問い合わせありがとうございます。確認いたします。", "少々お待ちください。"],
        "ko": ["문의해 주셔서 감사합니다.", "확인 후 다시 연락드리겠습니다."],
        "ms": ["Terima kasih kerana menghubungi kami!", "Sila tunggu sebentar ya."],
        "id": ["Terima kasih sudah menghubungi kami!", "Mohon ditunggu sebentar ya."],
        "es": ["¡Hola! Lo reviso enseguida.", "Gracias por su paciencia."],
        "de": ["Danke für Ihre Geduld!", "Ich schaue sofort nach."],
        "fr": ["Bonjour ! Je vérifie cela tout de suite.", "Merci de votre patience."],
    ]

    static let workflowTexts: [String] = [
        "Hi! Thanks for contacting us. An agent will be with you shortly.",
        "Please choose a topic:\n1️⃣ Orders\n2️⃣ Billing\n3️⃣ Other",
        "We're closed right now (9:00–18:00), we'll reply first thing tomorrow.",
        "Hi! You left items in your cart, need help?",
    ]

    static let workflowClosing: [String] = [
        "We're closing this chat due to inactivity. Message us anytime!",
        "How did we do? Reply 1–5 ⭐",
    ]

    static let botTexts: [String] = [
        "I can help with order status, refunds and billing. What do you need?",
        "Let me connect you with a human agent 👩‍💼",
        "Your order {n} is being packed 📦",
    ]

    static let apiTexts: [String] = [
        "Your order {n} has shipped. Track it here: https://t.example.com/{n}",
        "Payment received, thank you! Invoice #{n}",
        "Your verification code is {n}",
    ]

    static let echoTexts: [String] = ["ok noted", "Will call you in 5 min", "👍", "Sent the photos just now"]

    static let broadcastTexts: [String] = [
        "🎉 Flash sale this weekend: 20% off, use code \"SPRING20\"!",
        "New arrivals are here ✨ Shop now: https://shop.example.com/new",
        "Reminder: our stores close early on Friday.",
        "大促销！全场八折，仅限本周末 🛍️",
        "Free shipping on orders over $50, this week only.\nReply STOP to unsubscribe.",
        "Jualan hebat! Diskaun sehingga 30% 🔥",
    ]

    /// Attachments: kind (`Sub Type`), URL pattern, file name.
    static let contactAttachments: [(String, String, String)] = [
        ("image", "https://cdn.example.com/f/{n}.jpg", "photo.jpg"),
        ("image", "https://cdn.example.com/f/{n}.jpg", "IMG_{n}.jpg"),
        ("image", "https://cdn.example.com/f/{n}.png", "screenshot.png"),
        ("file", "https://cdn.example.com/f/{n}.pdf", "receipt, March.pdf"),
        ("video", "https://cdn.example.com/f/{n}.mp4", "unboxing.mp4"),
        ("audio", "https://cdn.example.com/f/{n}.ogg", "voice-note.ogg"),
    ]

    static let agentAttachments: [(String, String, String)] = [
        ("file", "https://cdn.example.com/f/{n}.pdf", "invoice_{n}.pdf"),
        ("image", "https://cdn.example.com/f/{n}.jpg", "size-chart.jpg"),
    ]

    /// An ASCII email local part from a name: accents dropped, spaces removed.
    static func emailPart(_ name: String) -> String {
        let folded: [Character: String] = [
            "é": "e", "è": "e", "ë": "e", "á": "a", "à": "a", "ã": "a", "ó": "o", "ö": "oe", "ü": "ue", "ä": "ae",
            "ß": "ss", "í": "i", "ñ": "n", "ç": "c", "ć": "c", "ş": "s", "ğ": "g", "ı": "i", "ø": "o", "å": "a",
        ]
        var out = ""
        for ch in name.lowercased() {
            if let f = folded[ch] { out += f } else if ch.isASCII && (ch.isLetter || ch.isNumber) { out.append(ch) }
        }
        return out
    }
}
