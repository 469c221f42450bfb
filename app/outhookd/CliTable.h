#pragma once

#include <QStringList>
#include <QTextStream>

namespace outhook::cli {

// A plain left-aligned text table for human output; long cells are cut with an ellipsis.
class CliTable
{
public:
    explicit CliTable(QStringList header)
        : m_rows{std::move(header)}
    {}
    void addRow(QStringList row) { m_rows.append(std::move(row)); }
    void print(QTextStream& out, int maxCell = 60) const
    {
        QList<int> widths;
        for (const QStringList& r : m_rows)
            for (int i = 0; i < r.size(); ++i) {
                if (widths.size() <= i)
                    widths.append(0);
                widths[i] = std::max(widths[i], int(std::min<qsizetype>(r[i].size(), maxCell)));
            }
        for (const QStringList& r : m_rows) {
            QString line;
            for (int i = 0; i < r.size(); ++i) {
                QString cell = r[i].size() > maxCell ? r[i].left(maxCell - 1) + QChar(0x2026) : r[i];
                line += i + 1 < r.size() ? cell.leftJustified(widths[i] + 2) : cell;
            }
            out << line << '\n';
        }
        out.flush();
    }

private:
    QList<QStringList> m_rows;
};

} // namespace outhook::cli
