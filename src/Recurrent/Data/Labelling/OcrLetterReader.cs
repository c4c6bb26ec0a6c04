using System.Globalization;
using System.Text;

namespace Recurrent.Data.Labelling;

/// <summary>
/// Reads Taskar's OCR letters (<c>letter.data</c>, usually gzip-compressed) and groups them into words.
/// </summary>
/// <remarks>
/// <para>One letter per line, fields separated by tabs (a trailing tab is allowed):
/// <c>id letter next_id word_id position fold p_0 … p_127</c>, the pixels of a 16×8 image row by row. A word's
/// letters are consecutive lines; <c>next_id</c> is the id of the word's next letter, −1 on its last letter.</para>
/// <para>The CS 512 course's <c>train.txt</c>/<c>test.txt</c> derivative is accepted too: space-separated, without
/// the fold column (5 fields, then the pixels), and with the next letter's position instead of its id, so there
/// only −1 is read from it. The first line decides which layout a file has.</para>
/// <para>Within a word the word id and fold must stay the same, positions must run 1, 2, 3, …, and in
/// <c>letter.data</c> each id must be the previous letter's <c>next_id</c>; a file must not end inside a word.</para>
/// </remarks>
public static class OcrLetterReader
{
    /// <summary>Fields before the pixels in <c>letter.data</c>.</summary>
    public const int LetterDataFields = 6;

    /// <summary>Fields before the pixels in the CS 512 files.</summary>
    public const int CourseFields = 5;

    /// <summary>The words of <paramref name="path"/>, in file order.</summary>
    /// <exception cref="RecurrentException">The file cannot be read, or a line is malformed: wrong field count, a frame
    /// that is not 128 pixels, a field that is not a number, or a broken word chain. The message names the file and line.</exception>
    public static List<OcrWord> Read(string path)
    {
        var reader = new State(path);
        LabelledTextFile.ForEachLine(path, reader.Line);
        reader.Finish();
        return reader.Words;
    }

    /// <summary>As <see cref="Read(string)"/> for a stream (not compressed); <paramref name="source"/> names it in errors.</summary>
    public static List<OcrWord> Read(Stream stream, string source)
    {
        var reader = new State(source);
        LabelledTextFile.ForEachLine(stream, source, reader.Line);
        reader.Finish();
        return reader.Words;
    }

    private sealed class State(string source)
    {
        private readonly Range[] _fields = new Range[LetterDataFields + OcrWord.FrameSize + 1];
        private readonly StringBuilder _letters = new();
        private readonly List<float> _pixels = [];
        private int _header = -1;
        private int _wordId, _fold, _startLine, _lastPosition, _expectedId, _lastLine;

        public List<OcrWord> Words { get; } = [];

        public void Line(string line, int lineNumber)
        {
            ReadOnlySpan<char> text = line;
            int count = 0;
            foreach (Range r in text.SplitAny(" \t"))
            {
                if (text[r].IsEmpty) continue; // a trailing tab, or doubled separators
                if (count == _fields.Length) { count++; break; }
                _fields[count++] = r;
            }
            if (count == 0)
                throw LabelledTextFile.Error(source, lineNumber, "an empty line; every line holds one letter.");
            if (_header < 0)
            {
                if (count == LetterDataFields + OcrWord.FrameSize) _header = LetterDataFields;
                else if (count == CourseFields + OcrWord.FrameSize) _header = CourseFields;
                else
                    throw LabelledTextFile.Error(source, lineNumber,
                        $"{(count > _fields.Length ? "more than " + _fields.Length : count)} fields; a letter line holds {LetterDataFields} (id, letter, next_id, word_id, position, fold) " +
                        $"then {OcrWord.FrameSize} pixel values (a {OcrWord.Height}×{OcrWord.Width} image).");
            }
            if (count < _header + 1)
                throw LabelledTextFile.Error(source, lineNumber, $"{count} fields; a letter line starts with {_header} fields before its {OcrWord.FrameSize} pixel values.");
            int pixels = count - _header;
            if (pixels != OcrWord.FrameSize)
                throw LabelledTextFile.Error(source, lineNumber,
                    $"a frame of {(count > _fields.Length ? "more than " + (_fields.Length - _header) : pixels)} pixel values after the {_header} leading fields; expected {OcrWord.FrameSize} (a {OcrWord.Height}×{OcrWord.Width} image).");

            int id = Integer(text, 0, "id", lineNumber);
            ReadOnlySpan<char> letter = text[_fields[1]];
            if (letter.Length != 1)
                throw LabelledTextFile.Error(source, lineNumber, $"the label '{letter}' is not a single letter.");
            int next = Integer(text, 2, "next_id", lineNumber);
            int wordId = Integer(text, 3, "word_id", lineNumber);
            int position = Integer(text, 4, "position", lineNumber);
            int fold = _header == LetterDataFields ? Integer(text, 5, "fold", lineNumber) : -1;

            if (_letters.Length == 0)
            {
                if (position != 1)
                    throw LabelledTextFile.Error(source, lineNumber, $"word {wordId} starts at position {position}, not 1 (a letter of it is missing?).");
                _wordId = wordId;
                _fold = fold;
                _startLine = lineNumber;
            }
            else
            {
                if (wordId != _wordId)
                    throw LabelledTextFile.Error(source, lineNumber, $"word {_wordId} (from line {_startLine}) is not finished (no next_id −1) but this letter belongs to word {wordId}.");
                if (fold != _fold)
                    throw LabelledTextFile.Error(source, lineNumber, $"fold {fold}, but the letters before it in word {wordId} are in fold {_fold}.");
                if (position != _lastPosition + 1)
                    throw LabelledTextFile.Error(source, lineNumber, $"position {position} follows position {_lastPosition} in word {wordId}.");
                if (_header == LetterDataFields && id != _expectedId)
                    throw LabelledTextFile.Error(source, lineNumber, $"letter id {id}, but the previous letter's next_id is {_expectedId}.");
            }
            _letters.Append(letter[0]);
            for (int p = 0; p < OcrWord.FrameSize; p++)
            {
                ReadOnlySpan<char> field = text[_fields[_header + p]];
                if (!float.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out float value))
                    throw LabelledTextFile.Error(source, lineNumber, $"pixel {p} ('{field}') is not a number.");
                if (!float.IsFinite(value))
                    throw LabelledTextFile.Error(source, lineNumber, $"pixel {p} ('{field}') is not a finite number.");
                _pixels.Add(value);
            }
            _lastPosition = position;
            _expectedId = next;
            _lastLine = lineNumber;
            if (next == -1) EndWord();
        }

        public void Finish()
        {
            if (_letters.Length > 0)
                throw LabelledTextFile.Error(source, _lastLine, $"the file ends inside word {_wordId}: its last letter has next_id {_expectedId}, not −1.");
        }

        private void EndWord()
        {
            Words.Add(new OcrWord(_wordId, _fold, _letters.ToString(), _pixels.ToArray(), source, _startLine));
            _letters.Clear();
            _pixels.Clear();
        }

        private int Integer(ReadOnlySpan<char> text, int field, string name, int lineNumber)
        {
            ReadOnlySpan<char> s = text[_fields[field]];
            if (!int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
                throw LabelledTextFile.Error(source, lineNumber, $"the {name} field ('{s}') is not an integer.");
            return value;
        }
    }
}
