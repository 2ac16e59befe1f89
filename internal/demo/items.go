package demo

import (
	"context"
	"fmt"
	"slices"

	"github.com/attesta/attesta/auth"
	"github.com/attesta/attesta/item"
	"github.com/attesta/attesta/people"
)

// The item bank of the online test, for Meccatronica's version 1: items
// written by the national body's working group for the standard's
// activities and evidences, each reviewed and approved by a second person;
// a few left in draft and in review so that the bank's life shows. Every
// competence, C1 to C15, has at least two approved items; the bank has
// items of every kind, dimension and difficulty band, a few in English. An
// item names an ADA and its expected result only where the standard gives
// them (C1 and C7). The demo's test draws from C1's six approved items.

// Reviewer is the national body's second person, who reviews the items
// the demo's national account writes; an account with the demo password.
var Reviewer = Account{"revisione@unioncamere.example", "Paolo", "Greco", "unioncamere", auth.NationalAdmin}

// bankItem is an item of the demo bank and where its life stops.
type bankItem struct {
	item.Item
	Status item.Status // draft, in_review or approved
}

// mec fills what every Meccatronica item shares.
func mec(id, competence, ada, result string, dim item.Dimension, diff item.Difficulty, it item.Item) item.Item {
	it.ID, it.Lang, it.Sector, it.Standard = id, "it", "meccatronica", 1
	it.Competence, it.ADA, it.Result, it.Dimension, it.Difficulty = competence, ada, result, dim, diff
	if it.Scoring == "" {
		it.Scoring = item.MatchCorrect
	}
	return it
}

// en marks an item of the bank written in English.
func en(it item.Item) item.Item {
	it.Lang = "en"
	return it
}

// trueFalse are a true/false item's two options, in the item's language.
func trueFalse(lang string) []item.Choice {
	if lang == "en" {
		return []item.Choice{{ID: "true", Text: "True"}, {ID: "false", Text: "False"}}
	}
	return []item.Choice{{ID: "true", Text: "Vero"}, {ID: "false", Text: "Falso"}}
}

// onePoint is a map's entries giving each key a point.
func onePoint(keys ...string) []item.MapEntry {
	out := make([]item.MapEntry, len(keys))
	for i, k := range keys {
		out[i] = item.MapEntry{Key: k, Points: 1}
	}
	return out
}

func opts(texts ...string) []item.Choice {
	out := make([]item.Choice, len(texts))
	for i, t := range texts {
		out[i] = item.Choice{ID: string(rune('A' + i)), Text: t}
	}
	return out
}

// Bank is the demo bank.
var Bank = []bankItem{
	{Status: item.Approved, Item: mec("MEC-C1-K01", "C1", "ADA.10.02.02", "RA1", item.Knowledge, item.Easy, item.Item{
		Kind: item.SingleChoice, Title: "Metodo di proiezione europeo", Shuffle: true,
		Prompt:  "Nel disegno tecnico europeo (ISO 128), con quale metodo si dispongono le viste di un pezzo?",
		Choices: opts("Metodo del primo diedro (E)", "Metodo del terzo diedro (A)", "Assonometria isometrica", "Prospettiva centrale"),
		Correct: []string{"A"}})},
	{Status: item.Approved, Item: mec("MEC-C1-K02", "C1", "ADA.10.02.02", "RA1", item.Knowledge, item.Medium, item.Item{
		Kind: item.InlineChoice, Title: "Tolleranza di un foro",
		Prompt: "Completa la frase scegliendo il termine corretto.",
		Before: "Nell'indicazione Ø20 H7, la lettera H indica", After: "del foro.",
		Choices: opts("la posizione della zona di tolleranza", "la rugosità superficiale", "il materiale", "la durezza"),
		Correct: []string{"A"}})},
	{Status: item.Approved, Item: mec("MEC-C1-S01", "C1", "ADA.10.02.02", "RA1", item.Skill, item.Medium, item.Item{
		Kind: item.Ordering, Title: "Dalla specifica alla messa in tavola",
		Prompt:  "Metti in ordine le fasi per realizzare il disegno di dettaglio di un particolare con un programma CAD.",
		Choices: opts("Leggere la specifica tecnica del particolare", "Modellare il solido 3D", "Ricavare le viste e le sezioni", "Quotare e indicare le tolleranze", "Compilare il cartiglio e rilasciare il disegno"),
		Correct: []string{"A", "B", "C", "D", "E"}})},
	{Status: item.Approved, Item: mec("MEC-C1-S02", "C1", "ADA.10.02.02", "RA1", item.Skill, item.Hard, item.Item{
		Kind: item.MultipleChoice, Title: "Quote funzionali", Shuffle: true,
		Prompt:  "Quali di queste indicazioni vanno riportate sul disegno di un albero che monta un cuscinetto? Scegli tutte quelle corrette.",
		Choices: opts("La tolleranza del diametro di accoppiamento", "La rugosità della sede del cuscinetto", "Il nome del fornitore del cuscinetto", "Gli smussi e i raccordi delle battute"),
		Correct: []string{"A", "B", "D"}, Scoring: item.MapResponse,
		Map: &item.Map{Entries: []item.MapEntry{{Key: "A", Points: 1}, {Key: "B", Points: 1}, {Key: "D", Points: 1}, {Key: "C", Points: -1}}, Lower: ptr(0)}})},
	{Status: item.Approved, Item: mec("MEC-C1-T01", "C1", "ADA.10.02.03", "RA3", item.SoftSkill, item.Easy, item.Item{
		Kind: item.TrueFalse, Title: "Revisioni del disegno",
		Prompt:  "Quando si modifica un disegno già rilasciato, basta salvare il file con lo stesso nome: chi lo usa vedrà la versione nuova.",
		Choices: []item.Choice{{ID: "true", Text: "Vero"}, {ID: "false", Text: "Falso"}},
		Correct: []string{"false"}})},
	{Status: item.Approved, Item: mec("MEC-C1-K03", "C1", "ADA.10.02.02", "RA1", item.Knowledge, item.Easy, item.Item{
		Kind: item.TextEntry, Title: "Filettatura metrica",
		Prompt: "Scrivi la lettera che indica una filettatura metrica ISO.",
		Before: "Una filettatura metrica di diametro 10 mm si indica con", After: "10.",
		Correct: []string{"M"}, Scoring: item.MapResponse, ExpectedLength: 2,
		Map: &item.Map{Entries: []item.MapEntry{{Key: "M", Points: 1}}}})},
	{Status: item.Approved, Item: mec("MEC-C7-K01", "C7", "ADA.10.02.12", "RA1", item.Knowledge, item.Medium, item.Item{
		Kind: item.Matching, Title: "Linguaggi del PLC",
		Prompt:  "Associa a ciascun linguaggio della norma IEC 61131-3 la sua forma.",
		Choices: []item.Choice{{ID: "LD", Text: "Ladder Diagram"}, {ID: "ST", Text: "Structured Text"}, {ID: "FBD", Text: "Function Block Diagram"}},
		Targets: []item.Choice{{ID: "contacts", Text: "contatti e bobine, come uno schema elettrico"}, {ID: "text", Text: "istruzioni testuali simili al Pascal"}, {ID: "blocks", Text: "blocchi funzionali collegati da linee"}},
		Correct: []string{"LD contacts", "ST text", "FBD blocks"}, Scoring: item.MapResponse,
		Map: &item.Map{Entries: []item.MapEntry{{Key: "LD contacts", Points: 1}, {Key: "ST text", Points: 1}, {Key: "FBD blocks", Points: 1}}}})},
	{Status: item.Review, Item: mec("MEC-C7-S01", "C7", "ADA.10.02.12", "RA3", item.Skill, item.Hard, item.Item{
		Kind: item.SingleChoice, Title: "Collaudo del programma", Shuffle: true,
		Prompt:  "Durante il collaudo, il nastro trasportatore non si ferma quando la fotocellula di fine corsa è oscurata. Che cosa verifichi per primo?",
		Choices: opts("Lo stato dell'ingresso della fotocellula nella tabella di forzamento del PLC", "La tensione di rete dello stabilimento", "La versione del sistema operativo del PC di programmazione", "Il peso del materiale trasportato"),
		Correct: []string{"A"}})},
	{Status: item.Draft, Item: mec("MEC-C11-T01", "C11", "", "", item.SoftSkill, item.Medium, item.Item{
		Kind: item.SingleChoice, Title: "Proporre un miglioramento", Shuffle: true,
		Prompt:  "Durante il tirocinio noti che un'attrezzatura si potrebbe semplificare. Qual è il modo più appropriato di proporlo?",
		Choices: opts("Preparare uno schizzo con i vantaggi e discuterlo con il tutor aziendale", "Modificare l'attrezzatura da solo in pausa pranzo", "Non dire nulla: non è compito di uno studente", "Scriverlo sui social dell'azienda"),
		Correct: []string{"A"}})},

	// C2: montaggio.
	{Status: item.Approved, Item: mec("MEC-C2-K01", "C2", "", "", item.Knowledge, item.Easy, item.Item{
		Kind: item.SingleChoice, Title: "Serraggio di una flangia", Shuffle: true,
		Prompt:  "Devi serrare con la chiave dinamometrica le otto viti che fissano una flangia. Quale sequenza segui?",
		Choices: opts("A croce, in più passate, fino alla coppia prescritta", "In senso orario, portando subito ogni vite alla coppia finale", "Prima le viti più comode da raggiungere, poi le altre", "A mano fino a battuta, senza chiave dinamometrica"),
		Correct: []string{"A"}})},
	{Status: item.Approved, Item: mec("MEC-C2-S01", "C2", "", "", item.Skill, item.Medium, item.Item{
		Kind: item.Ordering, Title: "Montaggio di un cuscinetto a caldo",
		Prompt:  "Metti in ordine le fasi per montare a caldo un cuscinetto radiale a sfere su un albero, con accoppiamento con interferenza.",
		Choices: opts("Pulire e controllare la sede sull'albero: diametro e battuta", "Riscaldare il cuscinetto con il riscaldatore a induzione, senza superare la temperatura indicata dal costruttore", "Calzare il cuscinetto sull'albero fino alla battuta, con i guanti termici", "Tenerlo premuto contro la battuta finché si raffredda", "Bloccarlo con la ghiera o l'anello elastico e verificare che ruoti liberamente"),
		Correct: []string{"A", "B", "C", "D", "E"}})},
	{Status: item.Approved, Item: mec("MEC-C2-T01", "C2", "", "", item.SoftSkill, item.Medium, item.Item{
		Kind: item.TrueFalse, Title: "Componente diverso dalla procedura",
		Prompt:  "Durante il montaggio ti accorgi che il componente ricevuto non corrisponde a quello indicato nella procedura di assemblaggio. La cosa corretta è fermarti e segnalarlo al capo reparto prima di procedere.",
		Choices: trueFalse("it"),
		Correct: []string{"true"}})},

	// C3: verifica e parametrizzazione.
	{Status: item.Approved, Item: mec("MEC-C3-K01", "C3", "", "", item.Knowledge, item.Easy, item.Item{
		Kind: item.SingleChoice, Title: "Misurare la corrente di un motore", Shuffle: true,
		Prompt:  "Quale strumento usi per misurare la corrente assorbita da un motore in funzione, senza interrompere il circuito?",
		Choices: opts("La pinza amperometrica", "Il multimetro usato come ohmmetro", "Il misuratore di isolamento (megaohmmetro)", "Il tachimetro"),
		Correct: []string{"A"}})},
	{Status: item.Approved, Item: mec("MEC-C3-S01", "C3", "", "", item.Skill, item.Hard, item.Item{
		Kind: item.TextEntry, Title: "Forza di un cilindro pneumatico",
		Prompt: "Un cilindro pneumatico a doppio effetto ha l'alesaggio di 50 mm ed è alimentato a 6 bar (0,6 MPa). Calcola la forza teorica in spinta, trascurando gli attriti, e scrivila in newton arrotondata all'unità.",
		Before: "F = p · A ≈", After: "N",
		Correct: []string{"1178"}, Scoring: item.MapResponse, ExpectedLength: 6,
		Map: &item.Map{Entries: []item.MapEntry{{Key: "1178", Points: 1}, {Key: "1178 N", Points: 1}, {Key: "1180", Points: 0.5}}}})},
	{Status: item.Approved, Item: en(mec("MEC-C3-T01", "C3", "", "", item.SoftSkill, item.Easy, item.Item{
		Kind: item.TrueFalse, Title: "Commissioning log",
		Prompt:  "During commissioning you change a parameter of the drive, for example the acceleration ramp. You should record the old and the new value in the commissioning log.",
		Choices: trueFalse("en"),
		Correct: []string{"true"}}))},

	// C4: diagnosi dei guasti.
	{Status: item.Approved, Item: mec("MEC-C4-K01", "C4", "", "", item.Knowledge, item.Medium, item.Item{
		Kind: item.Matching, Title: "Sintomi e cause", Shuffle: true,
		Prompt: "Associa a ciascun sintomo la causa più probabile.",
		Choices: []item.Choice{{ID: "motor", Text: "Un motore asincrono trifase ronza ma non si avvia"}, {ID: "bearing", Text: "Un cuscinetto è rumoroso e si scalda"},
			{ID: "cylinder", Text: "Un cilindro pneumatico è lento in entrambe le corse"}, {ID: "input", Text: "Il LED del sensore PNP si accende, ma l'ingresso del PLC resta a 0"}},
		Targets: []item.Choice{{ID: "phase", Text: "Manca una fase dell'alimentazione"}, {ID: "lube", Text: "Lubrificazione insufficiente o usura delle piste"},
			{ID: "air", Text: "Pressione di alimentazione bassa o perdite d'aria"}, {ID: "wire", Text: "Collegamento interrotto tra il sensore e il modulo di ingresso"},
			{ID: "cold", Text: "Temperatura ambiente troppo bassa"}},
		Correct: []string{"motor phase", "bearing lube", "cylinder air", "input wire"}, Scoring: item.MapResponse,
		Map: &item.Map{Entries: onePoint("motor phase", "bearing lube", "cylinder air", "input wire")}})},
	{Status: item.Approved, Item: mec("MEC-C4-S01", "C4", "", "", item.Skill, item.Hard, item.Item{
		Kind: item.Ordering, Title: "Metodo di ricerca guasti",
		Prompt:  "Una macchina automatica si ferma in allarme. Metti in ordine le fasi di una ricerca guasti metodica.",
		Choices: opts("Raccogliere i sintomi: messaggi di allarme, racconto dell'operatore, quando si presenta il guasto", "Consultare schemi e documentazione e formulare le ipotesi sulle cause più probabili", "Verificare le ipotesi con misure e prove, partendo dalla più probabile e più semplice da controllare", "Eliminare la causa, riparando o sostituendo il componente", "Provare la macchina in ciclo e registrare l'intervento nel registro di manutenzione"),
		Correct: []string{"A", "B", "C", "D", "E"}})},
	{Status: item.Approved, Item: mec("MEC-C4-T01", "C4", "", "", item.SoftSkill, item.Medium, item.Item{
		Kind: item.SingleChoice, Title: "Passaggio di consegne", Shuffle: true,
		Prompt:  "A fine turno non sei riuscito a risolvere un guasto intermittente. Che cosa fai?",
		Choices: opts("Annoto nel registro di manutenzione le verifiche fatte e i risultati, e passo le consegne al collega del turno successivo", "Lascio la macchina com'è: il collega se ne accorgerà", "Riavvio la macchina e, se riparte, considero chiuso il problema", "Sostituisco tutti i componenti sospetti prima di andare via"),
		Correct: []string{"A"}})},

	// C5: documentazione tecnica.
	{Status: item.Approved, Item: mec("MEC-C5-K01", "C5", "", "", item.Knowledge, item.Easy, item.Item{
		Kind: item.SingleChoice, Title: "Distinta base", Shuffle: true,
		Prompt:  "Che cos'è la distinta base (BOM) di una macchina?",
		Choices: opts("L'elenco strutturato dei componenti e dei sottoassiemi, con codici e quantità", "Il registro delle ore di lavoro del montaggio", "Il listino prezzi del fornitore", "Lo schema elettrico del quadro di comando"),
		Correct: []string{"A"}})},
	{Status: item.Approved, Item: mec("MEC-C5-K02", "C5", "", "", item.Knowledge, item.Medium, item.Item{
		Kind: item.Matching, Title: "I documenti della macchina", Shuffle: true,
		Prompt: "Associa a ciascun documento ciò che contiene.",
		Choices: []item.Choice{{ID: "manual", Text: "Manuale di istruzioni per l'uso e la manutenzione"}, {ID: "wiring", Text: "Schema elettrico"},
			{ID: "sds", Text: "Scheda di dati di sicurezza di un lubrificante"}, {ID: "conformity", Text: "Dichiarazione CE di conformità"}},
		Targets: []item.Choice{{ID: "use", Text: "Istruzioni per l'uso sicuro, le regolazioni e la manutenzione periodica"}, {ID: "links", Text: "Collegamenti tra i componenti elettrici, con le sigle e i numeri dei morsetti"},
			{ID: "hazards", Text: "Pericoli della sostanza e misure di protezione e di primo soccorso"}, {ID: "declaration", Text: "Attestazione del fabbricante che la macchina rispetta le direttive applicabili"}},
		Correct: []string{"manual use", "wiring links", "sds hazards", "conformity declaration"}, Scoring: item.MapResponse,
		Map: &item.Map{Entries: onePoint("manual use", "wiring links", "sds hazards", "conformity declaration")}})},
	{Status: item.Approved, Item: mec("MEC-C5-S01", "C5", "", "", item.Skill, item.Medium, item.Item{
		Kind: item.InlineChoice, Title: "Sigla di un'elettrovalvola",
		Prompt: "Leggi la sigla sullo schema pneumatico e completa la frase.",
		Before: "In un'elettrovalvola 5/2, il numero 5 indica", After: "della valvola.",
		Choices: opts("il numero di vie (attacchi)", "il numero di posizioni", "la pressione massima in bar", "il diametro degli attacchi in millimetri"),
		Correct: []string{"A"}})},

	// C6: tecnologia meccanica, meccanica delle macchine, elettronica.
	{Status: item.Approved, Item: mec("MEC-C6-S01", "C6", "", "", item.Skill, item.Medium, item.Item{
		Kind: item.TextEntry, Title: "Velocità all'uscita di un riduttore",
		Prompt: "Un motore gira a 1400 giri/min e comanda un albero attraverso un riduttore con rapporto di riduzione i = 20. Calcola la velocità dell'albero in uscita.",
		Before: "n in uscita =", After: "giri/min",
		Correct: []string{"70"}, Scoring: item.MapResponse, ExpectedLength: 5,
		Map: &item.Map{Entries: onePoint("70")}})},
	{Status: item.Approved, Item: en(mec("MEC-C6-K01", "C6", "", "", item.Knowledge, item.Easy, item.Item{
		Kind: item.TrueFalse, Title: "PNP sensor output",
		Prompt:  "When a PNP (sourcing) proximity sensor detects its target, its output connects the load to the positive supply (+24 V DC).",
		Choices: trueFalse("en"),
		Correct: []string{"true"}}))},
	{Status: item.Approved, Item: mec("MEC-C6-S02", "C6", "", "", item.Skill, item.Hard, item.Item{
		Kind: item.MultipleChoice, Title: "Rilevare un pezzo in plastica", Shuffle: true,
		Prompt:  "Su un nastro trasportatore devi rilevare, senza contatto, il passaggio di un pezzo in polipropilene. Quali sensori sono adatti? Scegli tutti quelli corretti.",
		Choices: opts("Sensore capacitivo", "Fotocellula a riflessione", "Sensore induttivo", "Sensore magnetico (reed)", "Sensore a ultrasuoni"),
		Correct: []string{"A", "B", "E"}, Scoring: item.MapResponse,
		Map: &item.Map{Entries: []item.MapEntry{{Key: "A", Points: 1}, {Key: "B", Points: 1}, {Key: "E", Points: 1}, {Key: "C", Points: -1}, {Key: "D", Points: -1}}, Lower: ptr(0)}})},

	// C7: software di sviluppo, programmazione del PLC.
	{Status: item.Approved, Item: mec("MEC-C7-S02", "C7", "ADA.10.02.12", "RA1", item.Skill, item.Hard, item.Item{
		Kind: item.SingleChoice, Title: "Priorità dell'arresto in ST", Shuffle: true,
		Prompt:  "Un programma in Structured Text (IEC 61131-3) contiene queste due righe, eseguite in quest'ordine a ogni ciclo di scansione. Start e Stop sono veri quando i rispettivi pulsanti sono premuti.\n\nIF Start THEN Motore := TRUE; END_IF;\n\nIF Stop THEN Motore := FALSE; END_IF;\n\nChe cosa succede se Start e Stop sono premuti insieme?",
		Choices: opts("Il motore resta fermo: l'ultima assegnazione, quella di Stop, prevale", "Il motore si avvia: prevale la prima condizione", "L'uscita Motore alterna vero e falso a ogni ciclo di scansione", "Il PLC va in errore per la doppia assegnazione"),
		Correct: []string{"A"}})},
	{Status: item.Approved, Item: en(mec("MEC-C7-K02", "C7", "ADA.10.02.01", "RA2", item.Knowledge, item.Easy, item.Item{
		Kind: item.SingleChoice, Title: "Documenting the PLC software", Shuffle: true,
		Prompt:  "The automation software of a new machine is ready. What documentation should be handed over with it?",
		Choices: opts("The commented source program, the I/O list and a description of the operating modes and alarms", "Only the compiled file loaded into the PLC", "A screenshot of the programming software", "None: the program documents itself"),
		Correct: []string{"A"}}))},

	// C8: strumenti informatici per l'analisi.
	{Status: item.Approved, Item: mec("MEC-C8-K01", "C8", "", "", item.Knowledge, item.Easy, item.Item{
		Kind: item.SingleChoice, Title: "Media in un foglio di calcolo", Shuffle: true,
		Prompt:  "In un foglio di calcolo in italiano, le celle da B2 a B21 contengono 20 misure di un diametro. Quale formula ne calcola la media?",
		Choices: opts("=MEDIA(B2:B21)", "=MEDIA(B2;B21)", "=SOMMA(B2:B21)", "=CONTA.NUMERI(B2:B21)"),
		Correct: []string{"A"}})},
	{Status: item.Approved, Item: mec("MEC-C8-S01", "C8", "", "", item.Skill, item.Hard, item.Item{
		Kind: item.TextEntry, Title: "Indice di capacità Cp",
		Prompt:  "Una quota ha la tolleranza 20 ± 0,06 mm. Le misure di un lotto mostrano un processo centrato, con deviazione standard σ = 0,01 mm. Calcola l'indice di capacità del processo, Cp = (limite superiore − limite inferiore) / 6σ.",
		Before:  "Cp =",
		Correct: []string{"2"}, Scoring: item.MapResponse, ExpectedLength: 5,
		Map: &item.Map{Entries: onePoint("2", "2,0", "2.0", "2,00", "2.00")}})},
	{Status: item.Approved, Item: mec("MEC-C8-K02", "C8", "", "", item.Knowledge, item.Medium, item.Item{
		Kind: item.Matching, Title: "Strumenti della qualità", Shuffle: true,
		Prompt: "Associa a ciascuno strumento di analisi il suo uso principale.",
		Choices: []item.Choice{{ID: "pareto", Text: "Diagramma di Pareto"}, {ID: "ishikawa", Text: "Diagramma causa-effetto (Ishikawa)"},
			{ID: "chart", Text: "Carta di controllo"}, {ID: "fmea", Text: "FMEA"}},
		Targets: []item.Choice{{ID: "few", Text: "Ordinare le cause per frequenza e individuare le poche che pesano di più"}, {ID: "causes", Text: "Raggruppare in famiglie (metodi, macchine, materiali, manodopera) le possibili cause di un problema"},
			{ID: "stable", Text: "Sorvegliare nel tempo la stabilità di un processo"}, {ID: "risk", Text: "Valutare i modi di guasto, i loro effetti e la priorità di rischio"}},
		Correct: []string{"pareto few", "ishikawa causes", "chart stable", "fmea risk"}, Scoring: item.MapResponse,
		Map: &item.Map{Entries: onePoint("pareto few", "ishikawa causes", "chart stable", "fmea risk")}})},

	// C9: architetture di rete.
	{Status: item.Approved, Item: mec("MEC-C9-S01", "C9", "", "", item.Skill, item.Medium, item.Item{
		Kind: item.TextEntry, Title: "Indirizzi di una sottorete",
		Prompt:  "Il PLC di una cella ha l'indirizzo IP 192.168.0.10 con maschera di sottorete 255.255.255.0. Quanti indirizzi della sottorete si possono assegnare ai dispositivi (host)?",
		Before:  "Indirizzi assegnabili:",
		Correct: []string{"254"}, Scoring: item.MapResponse, ExpectedLength: 4,
		Map: &item.Map{Entries: onePoint("254")}})},
	{Status: item.Approved, Item: en(mec("MEC-C9-S02", "C9", "", "", item.Skill, item.Hard, item.Item{
		Kind: item.SingleChoice, Title: "Ethernet segment length", Shuffle: true,
		Prompt:  "A remote I/O station must be connected to the PLC cabinet, 150 m away, over copper twisted-pair Ethernet (100BASE-TX). What do you do?",
		Choices: opts("Split the link: a twisted-pair segment is limited to 100 m, so put a switch along the way or use an optical fibre link", "Use Cat 6 cable: it reaches 150 m", "Nothing: Ethernet over copper reaches 1000 m", "Lower the PLC's transmission speed so that the signal goes further"),
		Correct: []string{"A"}}))},

	// C10: linguaggi di programmazione.
	{Status: item.Approved, Item: mec("MEC-C10-K01", "C10", "", "", item.Knowledge, item.Easy, item.Item{
		Kind: item.InlineChoice, Title: "Tipo di una variabile",
		Prompt: "Completa la frase.",
		Before: "Una variabile che può valere soltanto vero o falso è di tipo", After: ".",
		Choices: opts("booleano", "intero", "stringa", "reale (in virgola mobile)"),
		Correct: []string{"A"}})},
	{Status: item.Approved, Item: mec("MEC-C10-S01", "C10", "", "", item.Skill, item.Medium, item.Item{
		Kind: item.TextEntry, Title: "Traccia di un ciclo for",
		Prompt:  "Che valore ha la variabile s al termine di questo frammento di programma in C?\n\nint s = 0; for (int i = 1; i < 5; i++) { s = s + i; }",
		Before:  "s =",
		Correct: []string{"10"}, Scoring: item.MapResponse, ExpectedLength: 4,
		Map: &item.Map{Entries: onePoint("10")}})},
	{Status: item.Approved, Item: mec("MEC-C10-T01", "C10", "", "", item.SoftSkill, item.Medium, item.Item{
		Kind: item.SingleChoice, Title: "Modificare il programma di un collega", Shuffle: true,
		Prompt:  "Devi modificare un programma scritto da un collega e già in uso in produzione. Come ti comporti?",
		Choices: opts("Lavoro su una copia, commento le modifiche, aggiorno il numero di versione e le faccio verificare prima di caricarle", "Modifico direttamente il programma sulla macchina: si fa prima", "Lo riscrivo da capo senza dirlo al collega", "Cancello i commenti del collega per rendere il codice più corto"),
		Correct: []string{"A"}})},

	// C11: elaborazione e innovazione del progetto.
	{Status: item.Approved, Item: mec("MEC-C11-K01", "C11", "", "", item.Knowledge, item.Medium, item.Item{
		Kind: item.Ordering, Title: "Il ciclo PDCA",
		Prompt:  "Metti in ordine le fasi del ciclo di miglioramento PDCA (Plan, Do, Check, Act) applicato a una proposta di innovazione di prodotto.",
		Choices: opts("Analizzare il problema e pianificare la soluzione, con obiettivi misurabili", "Provare la soluzione su piccola scala: un prototipo, una postazione", "Confrontare i risultati della prova con gli obiettivi", "Adottare la soluzione come standard, oppure ripartire con una nuova ipotesi"),
		Correct: []string{"A", "B", "C", "D"}})},
	{Status: item.Approved, Item: en(mec("MEC-C11-S01", "C11", "", "", item.Skill, item.Hard, item.Item{
		Kind: item.MultipleChoice, Title: "Choosing between concepts", Shuffle: true,
		Prompt:  "Your team must choose one of three concepts for a new gripper. Which of these help the team make an objective choice? Select all that apply.",
		Choices: opts("A weighted decision matrix, with criteria agreed beforehand (cost, mass, cycle time, reliability)", "Quick prototypes or simulations of the most promising concepts", "Picking the concept of the most senior team member, without discussion", "Asking the user or the customer which requirements matter most"),
		Correct: []string{"A", "B", "D"}, Scoring: item.MapResponse,
		Map: &item.Map{Entries: []item.MapEntry{{Key: "A", Points: 1}, {Key: "B", Points: 1}, {Key: "D", Points: 1}, {Key: "C", Points: -1}}, Lower: ptr(0)}}))},

	// C12: disegno di particolari e complessivi al CAD.
	{Status: item.Approved, Item: mec("MEC-C12-K01", "C12", "", "", item.Knowledge, item.Easy, item.Item{
		Kind: item.SingleChoice, Title: "Numeri di posizione", Shuffle: true,
		Prompt:  "In un disegno di complessivo, a che cosa servono i numeri di posizione collegati ai componenti da linee di richiamo?",
		Choices: opts("A collegare ogni componente alla sua riga della distinta base", "A indicare l'ordine di verniciatura", "A indicare le quote di ingombro", "A numerare le revisioni del disegno"),
		Correct: []string{"A"}})},
	{Status: item.Approved, Item: mec("MEC-C12-S01", "C12", "", "", item.Skill, item.Medium, item.Item{
		Kind: item.Ordering, Title: "Modellare un particolare",
		Prompt:  "Metti in ordine le fasi per modellare un particolare con un CAD 3D parametrico.",
		Choices: opts("Scegliere il piano di schizzo e l'origine di riferimento", "Disegnare il profilo 2D dello schizzo", "Vincolare e quotare completamente lo schizzo", "Estrudere o far ruotare lo schizzo per ottenere il solido", "Aggiungere le lavorazioni: fori, raccordi, smussi"),
		Correct: []string{"A", "B", "C", "D", "E"}})},
	{Status: item.Approved, Item: mec("MEC-C12-K02", "C12", "", "", item.Knowledge, item.Hard, item.Item{
		Kind: item.InlineChoice, Title: "Tolleranza di planarità",
		Prompt: "Completa la frase sulla tolleranza geometrica.",
		Before: "Una tolleranza di planarità di 0,05 mm richiede che la superficie reale sia compresa", After: ".",
		Choices: opts("tra due piani paralleli distanti 0,05 mm", "in un cilindro di diametro 0,05 mm", "entro ± 0,05 mm dalla quota nominale dello spessore", "tra due piani inclinati l'uno sull'altro di 0,05°"),
		Correct: []string{"A"}})},

	// C13: sistemi di controllo.
	{Status: item.Approved, Item: mec("MEC-C13-K01", "C13", "", "", item.Knowledge, item.Medium, item.Item{
		Kind: item.Matching, Title: "Azioni di un regolatore PID", Shuffle: true,
		Prompt:  "Associa a ciascuna azione di un regolatore PID il suo effetto.",
		Choices: []item.Choice{{ID: "P", Text: "Azione proporzionale"}, {ID: "I", Text: "Azione integrale"}, {ID: "D", Text: "Azione derivativa"}},
		Targets: []item.Choice{{ID: "now", Text: "Corregge in proporzione all'errore presente"}, {ID: "steady", Text: "Annulla l'errore a regime, sommando l'errore nel tempo"},
			{ID: "trend", Text: "Anticipa la correzione, reagendo alla velocità con cui varia l'errore"}, {ID: "setpoint", Text: "Stabilisce il valore di riferimento da raggiungere"}},
		Correct: []string{"P now", "I steady", "D trend"}, Scoring: item.MapResponse,
		Map: &item.Map{Entries: onePoint("P now", "I steady", "D trend")}})},
	{Status: item.Approved, Item: mec("MEC-C13-S01", "C13", "", "", item.Skill, item.Hard, item.Item{
		Kind: item.SingleChoice, Title: "Arresto di emergenza", Shuffle: true,
		Prompt:  "Progetti il controllo di un nastro trasportatore comandato da un PLC. Come realizzi la funzione di arresto di emergenza?",
		Choices: opts("Con un circuito di sicurezza (relè di sicurezza o PLC di sicurezza) che toglie energia al motore indipendentemente dal programma del PLC standard", "Collegando il pulsante a un ingresso del PLC standard e fermando il motore via software", "Con un temporizzatore software che ferma il motore dopo qualche secondo", "Con un pulsante sul pannello operatore touch screen"),
		Correct: []string{"A"}})},
	{Status: item.Review, Item: mec("MEC-C13-T01", "C13", "", "", item.SoftSkill, item.Medium, item.Item{
		Kind: item.SingleChoice, Title: "Escludere un dispositivo di sicurezza", Shuffle: true,
		Prompt:  "Durante la prova del sistema di controllo, un collega propone di ponticellare il sensore della porta di protezione per fare prima. Che cosa fai?",
		Choices: opts("Non lo faccio e lo segnalo al responsabile: i dispositivi di sicurezza non si escludono, si usano le modalità di prova previste", "Accetto, purché il ponte si tolga a fine giornata", "Accetto, ma solo se lavoriamo in due", "Lo faccio io, così me ne assumo la responsabilità"),
		Correct: []string{"A"}})},

	// C14: prototipi.
	{Status: item.Approved, Item: mec("MEC-C14-K01", "C14", "", "", item.Knowledge, item.Easy, item.Item{
		Kind: item.Matching, Title: "Tecnologie di stampa 3D", Shuffle: true,
		Prompt:  "Associa a ciascuna tecnologia di stampa 3D il suo principio.",
		Choices: []item.Choice{{ID: "FDM", Text: "FDM"}, {ID: "SLA", Text: "SLA"}, {ID: "SLS", Text: "SLS"}},
		Targets: []item.Choice{{ID: "filament", Text: "Un ugello deposita strato su strato un filamento termoplastico fuso"}, {ID: "resin", Text: "Una luce ultravioletta indurisce strato su strato una resina liquida"},
			{ID: "powder", Text: "Un laser fonde strato su strato una polvere, ad esempio di poliammide"}},
		Correct: []string{"FDM filament", "SLA resin", "SLS powder"}, Scoring: item.MapResponse,
		Map: &item.Map{Entries: onePoint("FDM filament", "SLA resin", "SLS powder")}})},
	{Status: item.Approved, Item: mec("MEC-C14-S01", "C14", "", "", item.Skill, item.Medium, item.Item{
		Kind: item.Ordering, Title: "Dal modello al prototipo stampato",
		Prompt:  "Metti in ordine le fasi per realizzare con una stampante 3D FDM il prototipo di una staffa e verificarlo.",
		Choices: opts("Esportare il modello 3D in un formato per la stampa (STL o 3MF)", "Impostare lo slicer: orientamento, supporti, altezza dello strato, riempimento", "Stampare il prototipo", "Rimuovere i supporti e rifinire il pezzo", "Verificare quote e montaggio, e annotare le modifiche per la revisione successiva"),
		Correct: []string{"A", "B", "C", "D", "E"}})},
	{Status: item.Approved, Item: en(mec("MEC-C14-T01", "C14", "", "", item.SoftSkill, item.Medium, item.Item{
		Kind: item.SingleChoice, Title: "A prototype that does not fit", Shuffle: true,
		Prompt:  "The first printed prototype of your bracket does not fit its mating part. What is the best next step?",
		Choices: opts("Measure and record what does not fit, find out whether the cause is the design or the printing process, and share it with the team before changing the model", "Enlarge the holes with a drill and say nothing", "Print it again with the same file and settings, hoping it comes out better", "Tell the team that the concept does not work and drop it"),
		Correct: []string{"A"}}))},

	// C15: ottimizzazione del progetto.
	{Status: item.Approved, Item: mec("MEC-C15-K01", "C15", "", "", item.Knowledge, item.Medium, item.Item{
		Kind: item.InlineChoice, Title: "Progettare per il montaggio",
		Prompt: "Completa la frase sul Design for Assembly (DFA).",
		Before: "Per rendere più semplice ed economico il montaggio di un prodotto, il DFA suggerisce di", After: ".",
		Choices: opts("ridurre il numero dei componenti e degli elementi di collegamento", "aumentare il numero delle viti, per sicurezza", "usare per ogni collegamento una vite di tipo diverso", "prevedere più regolazioni manuali possibili in fase di montaggio"),
		Correct: []string{"A"}})},
	{Status: item.Approved, Item: mec("MEC-C15-S01", "C15", "", "", item.Skill, item.Hard, item.Item{
		Kind: item.MultipleChoice, Title: "Ridurre il costo di una staffa", Shuffle: true,
		Prompt:  "Una staffa in acciaio, ricavata dal pieno alla fresatrice, si produce in 5000 pezzi all'anno. Devi ridurne il costo senza perderne la funzionalità. Quali interventi sono sensati? Scegli tutti quelli corretti.",
		Choices: opts("Allargare le tolleranze delle quote non funzionali", "Realizzarla in lamiera tranciata e piegata", "Stringere tutte le tolleranze, per sicurezza", "Usare viti e fori unificati con quelli già impiegati su altri prodotti"),
		Correct: []string{"A", "B", "D"}, Scoring: item.MapResponse,
		Map: &item.Map{Entries: []item.MapEntry{{Key: "A", Points: 1}, {Key: "B", Points: 1}, {Key: "D", Points: 1}, {Key: "C", Points: -1}}, Lower: ptr(0)}})},
	{Status: item.Draft, Item: mec("MEC-C15-S02", "C15", "", "", item.Skill, item.Easy, item.Item{
		Kind: item.TextEntry, Title: "Riduzione della massa",
		Prompt: "Dopo un'ottimizzazione topologica, la massa di un supporto passa da 1,2 kg a 0,9 kg. Di quanto si è ridotta, in percentuale?",
		Before: "Riduzione:", After: "%",
		Correct: []string{"25"}, Scoring: item.MapResponse, ExpectedLength: 4,
		Map: &item.Map{Entries: onePoint("25", "25%", "25 %")}})},
}

func ptr(f float64) *float64 { return &f }

// loadItems writes the demo bank: the national account writes each item,
// the reviewer approves it (or it stays in review, or in draft).
func loadItems(ctx context.Context, s Services) error {
	if s.Items == nil {
		return nil
	}
	rp, err := s.People.AddMember(ctx, system, Reviewer.Org, people.Person{GivenName: Reviewer.Given, FamilyName: Reviewer.Family, Email: Reviewer.Email}, Reviewer.Role)
	if err != nil {
		return fmt.Errorf("loading the demo item reviewer: %w", err)
	}
	if err := s.Accounts.SetPassword(ctx, rp.ID, Password); err != nil {
		return fmt.Errorf("demo account %s: %w", Reviewer.Email, err)
	}
	author, err := s.People.PrincipalByEmail(ctx, Accounts[0].Email, Accounts[0].Org, Accounts[0].Role)
	if err != nil {
		return err
	}
	reviewer, err := s.People.PrincipalByEmail(ctx, Reviewer.Email, Reviewer.Org, Reviewer.Role)
	if err != nil {
		return err
	}
	for _, b := range Bank {
		v, err := s.Items.Create(ctx, author, b.Item)
		if err != nil {
			return fmt.Errorf("loading demo item %s: %w", b.ID, err)
		}
		if b.Status == item.Draft {
			continue
		}
		if v, err = s.Items.SubmitForReview(ctx, author, v.ID, v.Version); err != nil {
			return fmt.Errorf("loading demo item %s: %w", b.ID, err)
		}
		if b.Status == item.Review {
			continue
		}
		if _, err = s.Items.Review(ctx, reviewer, v.ID, v.Version, true, ""); err != nil {
			return fmt.Errorf("loading demo item %s: %w", b.ID, err)
		}
	}
	return nil
}

// AllAccounts are the demo accounts with the demo password: Accounts and
// Reviewer.
func AllAccounts() []Account { return append(slices.Clone(Accounts), Reviewer) }
