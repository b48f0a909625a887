"""Selector and phrase vocabularies of the cleaners, grouped by concept (en, de, fr, es, ru).

One place to extend when a new language or a new boilerplate family turns up; the cleaners in
`tree.py` and `text.py` only combine these. Phrases are lower-case; matching is case-insensitive.
"""

from __future__ import annotations

import re

# --- class/id tokens of boilerplate containers (matched on word-ish tokens of class and id) -----

SHARE_TOKENS = (
    "share",
    "sharing",
    "social-share",
    "share-bar",
    "sharebar",
    "share-buttons",
    "sharethis",
    "addthis",
    "social-links",
    "social-buttons",
    "socials",
)
COMMENT_TOKENS = (
    "comments",
    "comment-section",
    "comments-section",
    "comment-list",
    "commentlist",
    "comment-form",
    "disqus_thread",
    "disqus",
    "comment-notice",
    "comments-notice",
    "kommentare",
    "commentaires",
    "comentarios",
)
PROMO_TOKENS = (
    "related",
    "related-articles",
    "related-posts",
    "related-stories",
    "recommended",
    "recommendations",
    "more-reads",
    "must-reads",
    "most-read",
    "mostread",
    "most-popular",
    "popular-posts",
    "read-more",
    "readmore",
    "read-next",
    "more-stories",
    "more-news",
    "also-read",
    "outbrain",
    "taboola",
    "teaser-list",
    "trending",
)
NEWSLETTER_TOKENS = (
    "newsletter",
    "newsletter-signup",
    "subscribe",
    "subscription",
    "signup",
    "sign-up",
    "subscribe-box",
    "follow-us",
    "paywall-promo",
)

# Classes that hide an element from sight and leave it to screen readers (Bootstrap, Tailwind,
# WordPress, Drupal, Foundation, GOV.UK and similar conventions); matched as whole class names.
VISUALLY_HIDDEN_CLASSES = (
    "sr-only",
    "screen-reader-only",
    "screen-reader-text",
    "screenreader-text",
    "screenreader-only",
    "visually-hidden",
    "visuallyhidden",
    "u-visually-hidden",
    "is-visually-hidden",
    "visually-hidden-focusable",
    "a11y-hidden",
    "a11y-only",
    "assistive-text",
    "element-invisible",
    "show-for-sr",
    "govuk-visually-hidden",
    "hide-visually",
    "hidden-visually",
    "offscreen",
    "sr-text",
)

# A read-time line of a page header: "4 min read", "Reading time: 5 minutes", "Lesezeit: 3 Min.".
READ_TIME_RE = re.compile(
    r"^(?:(?:estimated\s+)?(?:reading|read)\s+time|lesezeit|temps\s+de\s+lecture"
    r"|tiempo\s+de\s+lectura|время\s+чтения)\s*:?\s*(?:about\s+|ca\.\s*)?\d+"
    r"(?:\s*[-–]\s*\d+)?\s*(?:min(?:ute)?s?|min\.|minuten|минут[аы]?|мин\.?)$"
    r"|^(?:about\s+)?\d+(?:\s*[-–]\s*\d+)?\s*(?:min(?:ute)?s?|min\.?|minuten)\.?\s+"
    r"(?:read|reading|to read|de lecture|lesezeit|de lectura|чтения)$",
    re.IGNORECASE,
)

# Words that mark a container as the article itself: a promo token on an element whose
# class also says "article-body" is not boilerplate (e.g. class="article-body related-links-on").
ARTICLE_CONTAINER_TOKENS = (
    "article-body",
    "articlebody",
    "story-body",
    "entry-content",
    "post-content",
)

# --- headings that introduce a promo list of headline links -----------------------------------

PROMO_HEADINGS = (
    # en
    "more must-reads from",
    "more must reads from",
    "must-reads from",
    "must reads",
    "more from",
    "more stories",
    "more news",
    "most read",
    "most popular",
    "most viewed",
    "related",
    "related articles",
    "related stories",
    "related coverage",
    "recommended",
    "recommended for you",
    "you may also like",
    "you might also like",
    "you may also be interested in",
    "you might also be interested in",
    "you may be interested in",
    "you might be interested in",
    "read next",
    "read more",
    "also read",
    "trending",
    "top stories",
    "editor's picks",
    "editors' picks",
    "related posts",
    "related content",
    "more on this story",
    "more on this topic",
    "popular posts",
    "recent posts",
    "around the web",
    "from around the web",
    "what to read next",
    "latest news",
    "latest stories",
    # de
    "mehr zum thema",
    "meistgelesen",
    "meistgelesene artikel",
    "das könnte sie auch interessieren",
    "auch interessant",
    "weitere artikel",
    "verwandte artikel",
    "lesen sie auch",
    "auch lesen",
    "lies auch",
    "zum weiterlesen",
    "schon gelesen",
    "mehr von",
    "mehr themen",
    "weitere themen",
    "weitere beiträge",
    "empfohlene beiträge",
    "empfohlene artikel",
    "ähnliche artikel",
    "ähnliche beiträge",
    "passend zum thema",
    "das könnte dich auch interessieren",
    "das thema könnte dich auch interessieren",
    # fr
    "à lire aussi",
    "a lire aussi",
    "lire aussi",
    "les plus lus",
    "articles similaires",
    "sur le même sujet",
    "vous aimerez aussi",
    "à lire également",
    "a lire également",
    "lire également",
    "à voir aussi",
    "voir aussi",
    "vous pourriez aussi aimer",
    "dans la même rubrique",
    "sur le même thème",
    # es
    "más leídas",
    "mas leidas",
    "lo más leído",
    "te puede interesar",
    "también te puede interesar",
    "noticias relacionadas",
    "lee también",
    "más noticias",
    "notas relacionadas",
    "artículos relacionados",
    "contenido relacionado",
    "le puede interesar",
    "también le puede interesar",
    "puede interesarte",
    "te recomendamos",
    "lo más visto",
    "lea también",
    "vea también",
    "más sobre",
    # pt
    "leia também",
    "veja também",
    "notícias relacionadas",
    "mais lidas",
    # it
    "leggi anche",
    "articoli correlati",
    "potrebbe interessarti",
    "i più letti",
    # ru
    "читайте также",
    "самое читаемое",
    "популярное",
    "по теме",
    "еще по теме",
    "ещё по теме",
    "рекомендуем",
    "другие новости",
)

# Inline "see also" link lead-ins: a short paragraph starting with one of these is a link, not text.
INLINE_LINK_LEADS = (
    "also on ",
    "read more:",
    "read more on",
    "read more at",
    "read also:",
    "also read:",
    "see also:",
    "related:",
    "more:",
    "watch:",
    "read:",
    "lesen sie auch:",
    "mehr zum thema:",
    "lire aussi:",
    "à lire aussi:",
    "lee también:",
    "leer más:",
    "te puede interesar:",
    "читайте также:",
    "подробнее:",
    "по теме:",
    "смотрите также:",
    # en
    "related article:",
    "related story:",
    "related coverage:",
    "recommended:",
    "more on this:",
    "also see:",
    "don't miss:",
    "must read:",
    "read next:",
    # de
    "auch lesen:",
    "lies auch:",
    "siehe auch:",
    "mehr dazu:",
    "zum weiterlesen:",
    "auch interessant:",
    "passend dazu:",
    # fr
    "voir aussi:",
    "à voir aussi:",
    "lire également:",
    "à lire également:",
    # es
    "lea también:",
    "lea más:",
    "lea:",
    "lee más:",
    "vea también:",
    "ver también:",
    "ver más:",
    "le puede interesar:",
    "puedes ver:",
    "puede ver:",
    "mira:",
    "relacionado:",
    "noticia relacionada:",
    "también lee:",
    "te recomendamos:",
    # pt
    "leia também:",
    "leia mais:",
    "veja também:",
    "saiba mais:",
    # it
    "leggi anche:",
    "vedi anche:",
)

# --- labels of page furniture left as lines of their own ------------------------------------------

# A line that is nothing but one of these (case, punctuation and arrows aside) is an ad slot's
# label, a widget's placeholder or a button: "ADVERTISEMENT", "Loading Slideshow", "Print »".
FURNITURE_LABELS = (
    # en: a page header's and a table of contents' labels
    "table of contents",
    "contents",
    "article contents",
    "in this article",
    "in this post",
    "on this page",
    "jump to",
    "jump to section",
    "share this post",
    "share this article",
    # de, fr, es, ru
    "inhaltsverzeichnis",
    "inhalt",
    "sommaire",
    "dans cet article",
    "índice",
    "índice de contenidos",
    "tabla de contenidos",
    "en este artículo",
    "содержание",
    # en
    "advertisement",
    "advertisements",
    "ad",
    "sponsored",
    "sponsored content",
    "story continues below advertisement",
    "article continues below advertisement",
    "article continues below",
    "continue reading below",
    "scroll to continue with content",
    "skip advertisement",
    "skip to content",
    "loading",
    "loading slideshow",
    "loading video",
    "enlarge photo",
    "enlarge image",
    "enlarge this image",
    "click to enlarge",
    "click here to enlarge",
    "search",
    "font",
    "text size",
    "print",
    "email",
    "e-mail",
    "share",
    "tweet",
    "start quote",
    "end quote",
    # de
    "anzeige",
    "werbung",
    "bild vergrößern",
    "zum vergrößern klicken",
    "zum vergrößern anklicken",
    "zum vergrößern bitte anklicken",
    "klicken zum vergrößern",
    "artikel drucken",
    "wird geladen",
    # fr
    "publicité",
    "chargement",
    "agrandir la photo",
    "imprimer",
    # es
    "publicidad",
    "cargando",
    "ampliar foto",
    "imprimir",
    # ru
    "реклама",
    "загрузка",
)

# --- picture credits ------------------------------------------------------------------------------

# A short line that opens with one of these and a colon credits a picture, not the story:
# "Photo: Jane Doe/AFP", "(Credit: Grist)", "Foto: dpa", "Crédits photos : X", "Bildquelle: Y".
CREDIT_LINE_RE = re.compile(
    r"^\s*[(\[]?\s*(?:photo|photos|photo credit|photo credits|photograph|image|images|picture"
    r"|credit|credits|image credit|top image|header image|featured image"
    r"|foto|fotos|bild|bilder|bildquelle|bildnachweis|titelbild|beitragsbild|abb\.?|abbildung"
    r"|crédit photo|crédits photos?|crédit|photo de couverture"
    r"|foto de portada|imagen|fuente de la imagen|créditos?"
    r"|фото|источник фото)\s*:",
    re.IGNORECASE,
)

# --- server error messages -------------------------------------------------------------------

# A message the page's server script printed into the page instead of (or beside) its output:
# "Warning: Use of undefined constant x in /var/www/site/plugin.php on line 12", "Deprecated:
# ... in /htdocs/wp-includes/formatting.php on line 82". A block of nothing but such messages is
# no article text whatever the language of the page.
SERVER_ERROR_RE = re.compile(
    r"(?:\s*(?:PHP\s+)?(?:warning|notice|deprecated|strict standards|fatal error|parse error"
    r"|catchable fatal error|recoverable fatal error)\s*:\s.*?\bin\s+\S+\.(?:php\d?|inc)"
    r"\s+on\s+line\s+\d+\.?)+\s*",
    re.IGNORECASE,
)

# --- share prompts, newsletter / follow-us lines -----------------------------------------------

SHARE_PROMPTS = (
    "share this story",
    "share this article",
    "share it with a friend",
    "like this story?",
    "share on facebook",
    "share on twitter",
    "tweet this",
    "artikel teilen",
    "diesen artikel teilen",
    "partager cet article",
    "partagez cet article",
    "compartir este artículo",
    "comparte esta noticia",
    "поделиться",
    "поделитесь с друзьями",
)
# Lines that start with a call to subscribe or follow ("Sign up for ...", "Follow us on ...").
NEWSLETTER_LEADS = (
    "subscribe",
    "sign up",
    "signup",
    "get our",
    "join our",
    "join us on",
    "follow us",
    "like us on",
    "never miss",
    "newsletter",
    "abonnieren sie",
    "jetzt abonnieren",
    "folgen sie uns",
    "melden sie sich",
    "abonnez-vous",
    "inscrivez-vous",
    "suivez-nous",
    "suscríbete",
    "suscribete",
    "síguenos",
    "siguenos",
    "подпишитесь",
    "подписывайтесь",
    "следите за нами",
)
# Unambiguous prompts, wherever they sit in a short line.
NEWSLETTER_PROMPTS = (
    "our newsletter",
    "our daily newsletter",
    "in your inbox",
    "follow us on",
    "sign up for our",
    "unseren newsletter",
    "notre newsletter",
    "nuestro boletín",
    "nuestra newsletter",
    "нашу рассылку",
    "наш канал",
    "already a subscriber",
    "please subscribe",
    "download our app",
    "download the app",
    "newsletter abonnieren",
    "zum newsletter anmelden",
    "abonnez-vous à notre",
    "connect with us on",
    "únete a nuestro canal",
)
# "Follow The Gleaner on Twitter and Instagram", "Follow Jane Doe on X": a follow prompt that
# opens the line or one of its sentences ("... if you follow me on Twitter" is a sentence).
FOLLOW_ON_RE = re.compile(
    r"(?:^|[.!?]\s+)(?:please\s+)?follow (?:[\w.@'’-]+ ){1,4}on "
    r"(?:twitter|facebook|instagram|linkedin|tiktok|youtube|telegram|threads|bluesky|mastodon|x)\b",
    re.IGNORECASE,
)

# --- comment-system notices ---------------------------------------------------------------------

COMMENT_NOTICE_OPENINGS = (
    "dear readers and commenters",
    "dear readers,",
    "dear commenters",
    "liebe leserinnen und leser",
    "liebe leser",
    "chers lecteurs",
    "queridos lectores",
    "estimados lectores",
    "уважаемые читатели",
    "дорогие читатели",
)
COMMENT_NOTICE_WORDS = (
    "comment",
    "commenting",
    "kommentar",
    "commentaire",
    "comentario",
    "комментар",
)
# A sign-off line: "RT Team.", "The Editors", "Ihre Redaktion" ...
SIGN_OFF_RE = re.compile(
    r"^(?:[\w .&'-]{0,40}\b(?:team|editors|staff|redaktion|rédaction|redacción|редакция)"
    r"|(?:ihre|votre|la|el|the) [\w .-]{0,30})\.?$",
    re.IGNORECASE,
)
COMMENT_SYSTEM_NAMES = ("disqus", "livefyre", "viafoura", "spot.im", "openweb", "coral")

# --- footer lines: contact and copyright -------------------------------------------------------

CONTACT_LEADS = (
    "contact us at",
    "contact us:",
    "email us at",
    "write to us at",
    "send us a tip",
    "kontakt:",
    "schreiben sie uns",
    "contactez-nous",
    "contáctenos",
    "contacto:",
    "связаться с нами",
    "напишите нам",
)
COPYRIGHT_RE = re.compile(r"^(?:©|\(c\)|copyright\b|&copy;)\s*(?:\d{4}|[\w])", re.IGNORECASE)
ALL_RIGHTS_RESERVED = (
    "all rights reserved",
    "alle rechte vorbehalten",
    "tous droits réservés",
    "todos los derechos reservados",
    "все права защищены",
)
# Reprint and print-edition notices, longer than a copyright line, at the edges of the body:
# "This copy is for your personal, non-commercial use only. To order presentation-ready copies
# ...", "A version of this article appeared July 24, 2012, on page A1 in the U.S. edition".
REPRINT_NOTICES = (
    "for your personal, non-commercial use only",
    "for personal, non-commercial use only",
    "for personal, noncommercial use only",
    "to order presentation-ready copies",
    "a version of this article appeared",
    "a version of this article appears",
    "this article appeared in print",
    "nur zum persönlichen, nicht kommerziellen gebrauch",
    "dieser artikel erschien in der",
    "pour un usage personnel et non commercial",
    "cet article est paru dans l'édition",
    "para uso personal y no comercial",
    "este artículo apareció en la edición impresa",
    "для личного некоммерческого использования",
)

# Affiliate and sponsorship disclosures: "This post contains affiliate links. If you buy through
# them, we may earn a small commission." A sentence of the page's business model, not of the
# article; an article *about* affiliate marketing ("Streamers earn a commission via affiliate
# links") names no page or "we" and stays.
DISCLOSURE_RE = re.compile(
    r"\b(?:post|article|page|site|blog|review|guide|content|story|website|video)\s+(?:may\s+)?"
    r"(?:contains?|includes?|uses?|features?)\s+(?:some\s+|other\s+)?"
    r"(?:affiliate|commissionable|sponsored)\s+(?:links?|content)"
    r"|\b(?:we|i)\s+(?:may\s+|might\s+|also\s+|will\s+)*(?:earn|receive|get|make)\s+"
    r"(?:an?\s+)?(?:small\s+)?(?:affiliate\s+)?commissions?\b"
    r"|\bmay\s+(?:earn|receive)\s+(?:an?\s+)?(?:small\s+)?(?:affiliate\s+)?commissions?\b"
    r"|\bas\s+an\s+amazon\s+(?:associate|affiliate)|\bearns?\s+from\s+qualifying\s+purchases"
    r"|\bwe\s+may\s+be\s+compensated|\b(?:we|i)\s+(?:may\s+|also\s+)*use\s+affiliate\s+links"
    r"|\baffiliate\s+(?:disclosure|disclaimer)\s*:"
    r"|\b(?:enthält|enthalten|beinhaltet)\s+(?:sogenannte\s+)?(?:affiliate|provisions)-?links"
    r"|\berhalten\s+wir\s+(?:ggf\.\s+|eventuell\s+|möglicherweise\s+)?(?:eine\s+)?"
    r"(?:kleine\s+)?provision"
    r"|\b(?:contient|comprend|inclut)\s+des\s+liens\s+(?:d'affiliation|affiliés|sponsorisés)"
    r"|\bnous\s+(?:pouvons\s+)?(?:percevoir|percevons|recevons|touchons|toucher)\s+une\s+"
    r"(?:petite\s+)?commission"
    r"|\b(?:contiene|incluye)\s+enlaces\s+(?:de\s+afiliados?|afiliados)"
    r"|\b(?:podemos\s+)?(?:recibir|recibimos|ganar|ganamos)\s+una\s+(?:pequeña\s+)?comisión"
    r"|\bсодержит\s+партн[её]рские\s+ссылки",
    re.IGNORECASE,
)

# --- timestamp lines ----------------------------------------------------------------------------

UPDATED_LEADS = (
    "updated",
    "last updated",
    "aktualisiert",
    "zuletzt aktualisiert",
    "mis à jour",
    "mis a jour",
    "actualizado",
    "обновлено",
)
PUBLISHED_LEADS = (
    "published",
    "posted",
    "first published",
    "veröffentlicht",
    "publié",
    "publicado",
    "опубликовано",
)

# --- author notes closing the body --------------------------------------------------------------

AUTHOR_NOTE_LEADS = (
    "about the author",
    "about the writer",
    "this article is written by",
    "this post was written by",
    "über den autor",
    "über die autorin",
    "zum autor",
    "zur autorin",
    "à propos de l'auteur",
    "sur l'auteur",
    "sobre el autor",
    "sobre la autora",
    "acerca del autor",
    "об авторе",
)
# "Jane Doe is a senior staff writer for ...", "Max Muster ist freier Journalist in Berlin";
# not "He is ..." nor "She was a reporter for 40 years" (an obituary's last line).
AUTHOR_NOTE_RE = re.compile(
    r"^(?!(?i:he|she|it|they|this|that|er|sie|es|il|elle|él|ella|он|она)\s)"
    r"(?:[A-ZÀ-ÖØ-ÞА-Я][\w'’.-]*\s+){1,3}"
    r"(?:is|ist|est|es|—|-)\s+(?:(?:a|an|the|un|une|una|el|la|ein|eine)\s+)?"
    r"(?:\S+\s+){0,4}?"
    r"(?i:writer|reporter|journalist|editor|columnist|correspondent|contributor|blogger|author"
    r"|freelancer|photographer|journalistin|autor|autorin|redakteur|redakteurin|korrespondent"
    r"|korrespondentin|journaliste|rédacteur|rédactrice|auteur|correspondant|correspondante"
    r"|periodista|redactor|redactora|autora|corresponsal|журналист|корреспондент|обозреватель)"
    r"(?!\w)",
)


# --- Pruning (cleaners/pruning.py): comment threads, edge navigation, taxonomy lines ---------

# "Comments", "12 Comments", "3 Responses to “Title”", "Leave a Reply", "Kommentare (4)".
COMMENT_HEADING_RE = re.compile(
    r"^(?:"
    r"(?:\d+\s+)?(?:comments?|kommentare?|commentaires?|comentarios?|commenti|reacties"
    r"|комментари[йяи]|trackbacks?|trackback pings|pingbacks?|reader comments|user comments"
    r"|leserkommentare|vos réactions)(?:\s*\(\d+\)|\s+\d+)?"
    r"|\d+\s+(?:responses?|replies|reactions|thoughts?|réactions?|antworten)(?:\s+(?:to|on)\s+.+)?"
    r"|(?:responses?|thoughts?) (?:to|on) .+"
    r"|leave a (?:comment|reply)|post a comment|add (?:a|your) comment|write a comment"
    r"|join the (?:discussion|conversation)|kommentar schreiben|schreiben sie einen kommentar"
    r"|laisser un commentaire|deja un comentario|dejar un comentario|оставить комментарий"
    r"|lascia un commento"
    r")\s*[:.!?]?$",
    re.IGNORECASE,
)
# What a blog engine prints around its comment form: "No comments yet.", "Name (required)",
# "TrackBack URL for this entry:", "Comments are closed.", "Kommentar verfassen".
COMMENT_FORM_RE = re.compile(
    r"^(?:no comments(?: yet)?|be the first to comment|comments are closed|comments? rss"
    r"|rss feed for comments|trackback url|trackback uri|name \(required\)|e-?mail \(required\)"
    r"|mail \(will not be published\)|you must be logged in to post a comment"
    r"|sorry, the comment form is closed|comment form|noch keine kommentare|kommentar verfassen"
    r"|keine kommentare|aucun commentaire|pas de commentaire|sin comentarios|no hay comentarios"
    r"|комментариев нет|нет комментариев)(?!\w)",
    re.IGNORECASE,
)
# "Posted by: Ellen at September 10, 2012 11:40 AM", "Written by Jane | 26 Mar 2007 2:38 PM".
SIGNATURE_LEAD_RE = re.compile(
    r"^(?:posted|written|submitted|commented|comment|reply|replied|geschrieben|verfasst"
    r"|kommentar|publié|posté|écrit|escrito|publicado|enviado|опубликовал[а]?|написал[а]?)"
    r"(?:\s+(?:by|von|par|por|de))?\s*:?\s",
    re.IGNORECASE,
)
# "gregorylent said...", "Tim wrote:", "Anna sagt:", "Marie a dit :", "Jo says on May 2, 2012".
# The verb is lower case and ends the header (a colon, dots, or "on"/"at" and the date): "David
# Birrell said he was hurt in October 2010" and "Stuff The Internet Says On ..." are sentences.
SAYS_RE = re.compile(
    r"^\S+(?:\s+\S+){0,3}\s+"
    r"(?:said|says|wrote|writes|sagt|schrieb|schreibt|a dit|dit|dijo|escribió|пишет|написал)"
    r"(?:\s*(?::|\.\.\.|…)|\s+(?:on|at|am|um|le|el|в)\s|\s*$)"
)
# "« Previous post", "Next entry: Title »", "Older Post Home Newer Post", "Zurück zur Übersicht".
NAV_RE = re.compile(
    r"^(?:[«‹←<]|(?:next|previous|prev|older|newer|last)\s+(?:post|entry|article|story|page)"
    r"|back to (?:top|home|the)|return to|nächster artikel|vorheriger artikel|zurück zu"
    r"|article (?:suivant|précédent)|artículo (?:siguiente|anterior)|следующ|предыдущ)"
    r"|[»›→>]$",
    re.IGNORECASE,
)

# A blog's pager between two post titles: "« Previous post title | Main | Next post title »".
PREV_NEXT_RE = re.compile(
    r"^[«‹←].*\|\s*(?:main|home|start|startseite|accueil|inicio)\s*\|.*[»›→]$", re.I
)

# "Tags: a, b", "Filed Under: Baking, Recipes", "Labels: x", "Schlagworte: y", "Étiquettes : z",
# also after a byline or date: "Published: October 30th, 2012 | Tags: a, b".
TAXONOMY_RE = re.compile(
    r"^(?:[^|]{0,80}\|\s*)?"
    r"(?:tags?|tagged(?: with| as)?|filed (?:under|in)|labels?|topics?|categories|category"
    r"|posted in|more on|schlagw[oö]rte?|themen|stichw[oö]rter|kategorien?|étiquettes?|mots[- ]clés"
    r"|catégories?|etiquetas|temas|categorías?|теги|метки|рубрики?)\s*:",
    re.IGNORECASE,
)


# A blog engine's line about the post itself, under it: WordPress's "This entry was posted on
# Saturday, August 25th, 2012 at 12:23 am and is filed under Robots. You can follow any responses
# to this entry through the RSS 2.0 feed." and "This entry was posted in News and tagged x.
# Bookmark the permalink.", Movable Type's "This page contains a single entry by Jane published
# on May 4, 2012 6:33 AM.", and the translations the engines ship (de/fr/es).
ENTRY_FOOTER_RE = re.compile(
    r"^(?:this (?:entry|post) was (?:posted|filed)|this page contains a single entry"
    r"|dieser (?:eintrag|beitrag) wurde (?:am|in|unter|veröffentlicht)"
    r"|(?:ce contenu|cet article|cette entrée) a été publiée?"
    r"|esta entrada (?:fue publicada|se publicó))\b",
    re.IGNORECASE,
)

# A bare singular "Comment" is also an article's section heading (an opinion, a note); it starts
# a thread only when two signatures or a comment-form line follow.
BARE_COMMENT_RE = re.compile(
    r"^(?:comment|kommentar|commentaire|comentario|commento)\s*[:.!?]?$", re.IGNORECASE
)
