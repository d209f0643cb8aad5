import Foundation

/// The UCI SMS Spam Collection v.1: 5574 lines `ham|spam<TAB>text`, 4827 ham and 747 spam.
///
/// We read raw lines split on the first tab and keep all 5574 messages. The reference reads the
/// file with `pandas.read_csv(sep="\t", header=None)`, whose default quoting treats a `"` at the
/// start of a field as an opening quote. 54 texts start with one; in all but one the closing
/// quote is on the same line (pandas drops the quote characters), but line 5082 (`"Keep ur
/// problems in ur heart…`) has none, so its field runs on through lines 5083 and 5084: pandas
/// sees 5572 rows (4825 ham, 747 spam), one of them three messages glued together. Quotes are ordinary characters in this file, so the raw reading is
/// the right one; the spam count (747), and so the balanced split's sizes 1045/149/300, are the
/// same either way.
public enum SMSSpamCollection {
    public static let lines = 5574
    public static let spamCount = 747

    public static func read(_ url: URL) throws -> [LabeledExample] {
        try LabeledDataReader.read(url, format: .tsv, labels: .hamSpam)
    }
}
