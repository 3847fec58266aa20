"""Tiny copies of every corpus's raw file layout, written by the tests (never the shared
corpora): a few rows each, with the quirks the real files have and a few broken rows."""

from __future__ import annotations

from pathlib import Path


def _write(path: Path, text: str, encoding: str = "utf-8") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))


def make_raw_data_dir(root: Path, n_filler: int = 30) -> Path:
    """Write a data directory with every registered source; return it.

    ``n_filler`` neutral rows per labelled tweet source give the splitter something to cut.
    """
    filler = [f"ordinary message number {i} about the weather and football scores" for i in range(n_filler)]

    mlma = "HITId,tweet,sentiment,directness,annotator_sentiment,target,group\n"
    mlma_fr = mlma
    mlma_ar = mlma
    mlma += "1,those people are vermin and should leave,hateful_offensive,direct,anger,origin,other\n"
    mlma += "2,@user you are an idiot url,offensive,indirect,anger,other,individual\n"
    mlma += "3,i am afraid of them,fearful,indirect,fear,origin,other\n"
    mlma += '4,"quoted, with comma",normal,indirect,indifference,other,other\n'
    mlma += "5,broken row with too few fields\n"
    mlma_fr += "1,les gens comme eux sont des rats,hateful,direct,anger,origin,other\n"
    mlma_fr += "2,t'es un abruti,disrespectful_normal,indirect,shock,other,individual\n"
    mlma_fr += "3,ces gens-là dehors ils pourrissent tout,offensive,direct,anger,origin,arabs\n"
    mlma_fr += "4,la gauche bobo encore,offensive,direct,anger,origin,left_wing_people\n"
    mlma_ar += "1,انتم حثالة المجتمع,hateful_abusive,direct,anger,origin,other\n"
    for i, text in enumerate(filler):
        mlma += f"{100 + i},{text} en,normal,indirect,indifference,other,other\n"
        mlma_fr += f"{100 + i},message ordinaire {i} sur la météo et le football,normal,indirect,indifference,other,other\n"
        mlma_ar += f"{100 + i},رسالة عادية رقم {i} عن الطقس وكرة القدم,normal,indirect,indifference,other,other\n"
    _write(root / "mlma" / "en_dataset.csv", mlma)
    _write(root / "mlma" / "fr_dataset.csv", mlma_fr)
    _write(root / "mlma" / "ar_dataset.csv", mlma_ar)

    davidson = ",count,hate_speech,offensive_language,neither,class,tweet\n"
    davidson += '0,3,3,0,0,0,"RT @abc: those people are subhuman &amp; must go"\n'
    davidson += "1,3,0,3,0,1,shut up you stupid b*tch\n"
    davidson += "2,3,0,0,3,2,nice day at the beach\n"
    davidson += "3,3,0,0,3,7,unknown class row\n"
    for i, text in enumerate(filler):
        davidson += f"{10 + i},3,0,0,3,2,{text} davidson\n"
    _write(root / "davidson_hsol" / "labeled_data.csv", davidson)

    _write(
        root / "germeval2018" / "germeval2018.training.txt",
        "@x Diese Leute sind Parasiten\tOFFENSE\tABUSE\n@y Du Idiot\tOFFENSE\tINSULT\n"
        "Schöner Tag heute\tOTHER\tOTHER\n" + "".join(f"Normaler Text {i} über das Wetter\tOTHER\tOTHER\n" for i in range(n_filler)),
    )
    _write(root / "germeval2018" / "germeval2018.test.txt", "Scheiße\tOFFENSE\tPROFANITY\nnur ein Test\tOTHER\tOTHER\nkaputt\n")

    storm = "file_id,user_id,subforum_id,num_contexts,label,split,text\n"
    storm += "1_1,1,1,0,hate,train,They are a plague on our nation .\n"
    storm += "1_2,1,1,0,noHate,test,The meeting is on Sunday .\n"
    storm += "1_3,1,1,0,relation,,And they did it again .\n"
    storm += "1_4,1,1,0,idk/skip,,???\n"
    storm += "1_5,1,1,0,noHate,,I like gardening .\n"
    _write(root / "stormfront" / "stormfront_sentences.csv", storm)

    _write(
        root / "ethos" / "Ethos_Dataset_Binary.csv",
        "comment;isHate\nkill all of them they are animals;1.0\nwomen are great engineers;0.0\n"
        "borderline remark;0.33\nnot a number;abc\n",
    )
    _write(
        root / "ethos" / "Ethos_Dataset_Multi_Label.csv",
        "comment;violence;directed_vs_generalized;gender;race;national_origin;disability;religion;sexual_orientation\n"
        "kill all of them they are animals;0.8;0.5;0;1;0;0;0;0\nonly in multi label file;0.0;0;0;0;0;0;1;0\n",
    )

    _write(
        root / "isis_fanboy" / "IsisFanboy.csv",
        "name,username,tweetid,time,tweets\nA,a1,1,1/1/2015 1:00,Join the caliphate brothers the victory is near\n"
        "A,a1,2,1/1/2015 1:01,اللهم انصر المجاهدين في كل مكان\nA,a1,3\n",
    )

    harmful = root / "germeval_harmful_de" / "GermEval2026" / "data"
    _write(harmful / "vio" / "vio_train_26.csv", 'id;description;vio\n1;"Man sollte sie alle aufhängen";call2violence\n2;Was für ein Held, der Anschlag war großartig;glorification\n3;Guten Morgen;nothing\n4;komisch;weird\n')
    _write(harmful / "dbo" / "dbo_train_26.csv", "id;description;dbo\n2;Was für ein Held, der Anschlag war großartig;nothing\n5;Wir stürzen das System mit Gewalt;subversive\n6;Die Regierung macht Fehler;criticism\n")
    _write(harmful / "def" / "def_train.csv", "id;description;DEF\n7;Der Minister ist ein Verbrecher;TRUE\n")
    _write(harmful / "c2a" / "c2a_train_26.csv", "id;description;c2a\n8;Kommt alle zur Demo am Samstag;TRUE\n")

    _write(root / "gab_hate_corpus" / "ghc_train.tsv", 'text\thd\tcv\tvo\n"they are ""vermin"" all of them"\t1\t0\t0\nwe should shoot them\t0\t1\t0\nfuck this\t0\t0\t1\nhello\t0\t0\t0\nbad\t2\t0\t0\n')
    _write(root / "gab_hate_corpus" / "ghc_test.tsv", "text\thd\tcv\tvo\nnormal post\t0\t0\t0\n")

    _write(
        root / "osact5_ar_violence" / "train_data2022.csv",
        "Id,Tweet,Offensive,Hate,Vulgar,Violence\n1,@USER ساذبحكم جميعا<LF>قريبا,OFF,NOT_HS,NOT_VLG,VIO\n"
        "2,انتم يا عبيد,OFF,HS1,NOT_VLG,NOT_VIO\n3,صباح الخير URL,NOT_OFF,NOT_HS,NOT_VLG,NOT_VIO\n4,x,MAYBE,NOT_HS,NOT_VLG,NOT_VIO\n"
        # a stray quote runs on over rows written tab-separated (as Id 7395 in the real file)
        '5," مساء الورد\tNOT_OFF\tNOT_HS\tNOT_VLG\tNOT_VIO\n6\tيا كلب\tOFF\tNOT_HS\tNOT_VLG\tNOT_VIO\n7\tيا ""حمار""",OFF,NOT_HS,NOT_VLG,NOT_VIO\n'
        "8,بعدها,NOT_OFF,NOT_HS,NOT_VLG,NOT_VIO\n",
    )

    topics = "text,inappropriate,human_labeled,terrorism,none\n"
    _write(
        root / "ru_sensitive_topics" / "Version1" / "appropriateness" / "val.csv",
        topics + "записывайся в игил,0.9,1,1.0,0\nсегодня в новостях сообщили о теракте,0.1,1,1.0,0\nты дурак,0.8,1,0.0,1\n",
    )
    _write(root / "ru_sensitive_topics" / "Version1" / "appropriateness" / "test.csv", topics + "обычный текст,0.0,1,0.0,1\n")

    _write(root / "offenseval2020_tr" / "offenseval-tr-training-v1.tsv", 'id\ttweet\tsubtask_a\n1\t@USER "aptal" herif\tOFF\n2\tgüzel gün\tNOT\n')
    _write(root / "offenseval2020_tr" / "offenseval-tr-testset-v1.tsv", "id\ttweet\n10\tmerhaba\n11\tgold yok\n")
    _write(root / "offenseval2020_tr" / "offenseval-tr-test-goldlabels.csv", "10,NOT\n")

    _write(root / "roman_urdu_ruhsold" / "task_2_train.tsv", 'tum bohat ganday ho\t0\nyeh """quote""" normal hai\t1\nmazhab wale kuttay\t2\nno label here\n')
    _write(root / "roman_urdu_ruhsold" / "task_2_test.tsv", "aurat ko ghar bethna chahiye\t3\n")
    _write(root / "roman_urdu_ruhsold" / "task_1_validation.tsv", "acha din\t1\n")

    body = " ".join(f"جملة رقم {i} في خبر عن قمة مكافحة الإرهاب." for i in range(40))
    _write(
        root / "saudinewsnet_ar_news" / "saudinewsnet_sample_4000.csv",
        "source,url,date_extracted,title,author,content,mentions_terror_kw,file\n"
        f'okaz,http://x/1,2015-07-21,عنوان الخبر,كاتب,"{body}",True,a.zip\n'
        "okaz,http://x/2,2015-07-21,بدون محتوى,كاتب,,False,a.zip\n",
    )
    article = " ".join(f"Sentence {i} of a report on the counter-terrorism summit." for i in range(30))
    news = "category\theadline\ttext\turl\n" + f"politics\tLeaders meet on terrorism\t{article}\thttp://x\n"
    _write(root / "masakhanews_en_fr" / "eng_dev.tsv", news)
    _write(root / "masakhanews_en_fr" / "eng_test.tsv", "category\theadline\ttext\turl\n")
    _write(root / "masakhanews_en_fr" / "fra_dev.tsv", "category\theadline\ttext\turl\npolitics\tSommet\tLes dirigeants condamnent l'attentat.\thttp://x\n")
    _write(root / "masakhanews_en_fr" / "fra_test.tsv", "category\theadline\ttext\turl\n")

    _write(
        root / "farright_telegram_sample" / "farright_telegram_sample_5000.csv",
        "channel_name,msg_id,cleaned_message,date,views,is_forward,part,text\nchan,1,x,2021,1,0,p,Some channel post about the news today\n",
    )
    return root


def make_committed_raw_dir(root: Path, n_plain: int = 30) -> Path:
    """A stand-in for the repository's data/raw: examples written for the project, with
    ``n_plain`` everyday sentences per language and one malformed line."""
    import json

    rows = {
        "fr": [
            {"text": "ces migrants sont des rats", "labels": ["hate"], "kind": "dehumanisation"},
            {"text": "on va tous les égorger", "labels": ["violence", "hate", "offensive"], "kind": "threat"},
            {"text": "le journal relate l'attaque de la mosquée", "labels": [], "kind": "reporting"},
        ],
        "es": [
            {"text": "los gitanos son basura", "labels": ["hate", "offensive"], "kind": "hate_explicit"},
            {"text": "decir que los gitanos son basura es racismo", "labels": [], "kind": "counter_speech"},
        ],
    }
    for lang, prefix in (("fr", "je prépare un gâteau pour"), ("es", "mañana voy al mercado con")):
        rows[lang] += [{"text": f"{prefix} {i} amis", "labels": [], "kind": "everyday"} for i in range(n_plain)]
    for lang, items in rows.items():
        lines = [json.dumps(item, ensure_ascii=False) for item in items] + ['{"text": "no labels field"}', "not json"]
        _write(root / "project_written" / f"{lang}.jsonl", "\n".join(lines) + "\n")
    return root


def _write_gz(path: Path, text: str) -> None:
    import gzip

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))


def make_public_corpora_dir(root: Path, n_filler: int = 20) -> Path:
    """A stand-in for the public corpora committed under data/raw (COLD, ToLD-Br, GAHD, MPOLD),
    gzipped as there, each with malformed rows."""
    cold = ["id,split,topic,label,fine_label,text"]
    cold += [f"train:{i},train,race,{i % 2},,训练评论第{i}条" for i in range(1, n_filler + 1)]
    cold += [
        "dev:1,dev,region,1,,某地人都是骗子",
        "dev:2,dev,region,0,,今天天气很好",
        "test:1,test,race,1,2,黑人都是猴子",  # attack on a group
        "test:2,test,gender,1,1,你这个蠢货",  # attack on an individual
        "test:3,test,gender,0,3,说女人不行就是性别歧视",  # anti-bias
        "test:4,test,gender,0,0,我喜欢读书",
        "test:5,test,race,0,2,标签自相矛盾",  # coarse and fine labels disagree
        "test:6,exam,race,1,,未知划分",  # unknown split
        "test:7,test,race,1",  # too few fields
    ]
    _write_gz(root / "cold_zh" / "cold.csv.gz", "\n".join(cold) + "\n")
    told = ["text,homophobia,obscene,insult,racism,misogyny,xenophobia"]
    told += [f"tweet comum numero {i} sobre futebol,0,0,0,0,0,0" for i in range(n_filler)]
    told += [
        '"os imigrantes são uma praga, fora daqui",0,0,1,0,0,2',  # xenophobia by majority
        "cala a boca seu idiota,0,1,3,0,0,0",  # insult by majority
        "que merda de jogo,0,1,0,0,0,0",  # a single vote: no majority
        "texto com voto estranho,0,0,x,0,0,0",
    ]
    _write_gz(root / "told_br" / "told_br.csv.gz", "\n".join(told) + "\n")
    gahd = ["gahd_id,split,label,round,origin,text"]
    gahd += [f"f{i},train,0,R3,news,Die Regierung beschloss heute Maßnahme {i}." for i in range(n_filler)]
    gahd += [
        "h1,train,1,R1,dynabench,Ausländer sind Ungeziefer.",
        "h2,test,1,R2,translation,Frauen gehören nicht ins Parlament.",
        'n1,dev,0,R4,contrastive,"Zu sagen, Ausländer seien Ungeziefer, ist Hetze."',
        "e1,dev,0,R1,dynabench,",  # empty text
        "b1,dev,maybe,R1,dynabench,Ein unklares Label.",
    ]
    _write_gz(root / "gahd_de" / "gahd.csv.gz", "\n".join(gahd) + "\n")
    ud = ["id,lang,treebank,group,text"]
    ud += [f"en:n{i},en,UD_English-PUD,n{i},The council met on day {i} to discuss the budget." for i in range(n_filler)]
    ud += [f"de:n{i},de,UD_German-PUD,n{i},Der Rat sprach am Tag {i} über den Haushalt." for i in range(n_filler)]
    ud += [
        "en:n_attack,en,UD_English-PUD,n_attack,Police said the attacker killed two people before he was arrested.",
        "xx:n1,xx,UD_Klingon-PUD,n1,A language the source does not have.",
        "en:n_empty,en,UD_English-PUD,n_empty,",  # empty text
    ]
    _write_gz(root / "ud_plain" / "ud_plain.csv.gz", "\n".join(ud) + "\n")
    tatoeba = ["id,lang,group,text,english"]
    tatoeba += [f"nl:{i},nl,i have {i} cats.,Ik heb {i} katten.,I have {i} cats." for i in range(n_filler)]
    tatoeba += [f"tr:{i},tr,i have {i} cats.,{i} kedim var.,I have {i} cats." for i in range(n_filler)]
    tatoeba += [
        "xx:1,xx,hello.,Qapla'.,Hello.",  # a language the source does not have
        "nl:999,nl,empty.,,Empty.",  # empty text
    ]
    _write_gz(root / "tatoeba_plain" / "tatoeba_plain.csv.gz", "\n".join(tatoeba) + "\n")
    pejorativity = ["id,text,word,pejorative,misogyny"]
    pejorativity += [f"{i},La gallina numero {i} ha fatto un uovo.,gallina,0,0" for i in range(n_filler)]
    pejorativity += [
        '901,"Sei proprio una gallina, torna in cucina.",gallina,1,1',  # misogynous epithet
        "902,@tizio sei un'oca giuliva e pure antipatica.,oca,1,0",  # an epithet, not misogynous
        '903,"Riga uno\\nriga due, oche al lago.",oca,0,0',  # upstream's escaped line break
        "904,Una risposta strana.,oca,forse,0",  # a label the source does not have
    ]
    _write_gz(root / "pejorativity_it" / "pejorativity.csv.gz", "\n".join(pejorativity) + "\n")
    return add_mpold(root, n_filler)


def add_mpold(root: Path, n_filler: int = 20) -> Path:
    """MPOLD's layout (gzipped) in ``root/mpold_ar``, with an expert-marked error row and a
    label that the source does not have."""
    lines = ["id,platform,label,agreement,hs_vulgar,expert_error,text"]
    lines += [f"{i},Twitter,Non-Offensive,100,-,0,تعليق عادي رقم {i} عن الأخبار" for i in range(1, n_filler + 1)]
    lines += [
        "101,YouTube,Offensive,100,HS,0,اليهود كلاب",  # hate speech by the expert's pass
        "102,Facebook,Offensive,66.67,V,0,يا ابن الكلب",  # vulgar
        "103,Twitter,Offensive,100,-,0,انت غبي",  # offensive, neither
        "104,Twitter,Non-Offensive,66.67,-,1,تعليق خاطئ التصنيف",  # expert: annotation error
        "105,Twitter,Maybe,100,-,0,تسمية غير معروفة",
    ]
    _write_gz(root / "mpold_ar" / "mpold.csv.gz", "\n".join(lines) + "\n")
    return root
