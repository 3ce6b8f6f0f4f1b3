"""Small-cell suppression (METRICS.md): counts of 1-4 hidden, and the cells or totals that
would let a hidden count be worked out by subtraction hidden too."""

from cqi.suppression import COMPLEMENT, PRIMARY, Hidden, suppress


def test_a_table_without_small_cells_hides_nothing():
    out = suppress([[10, 6], [7, 5]], row_totals=True, column_totals=True)
    assert (out.cells, out.row_totals, out.column_totals, out.grand_total) == ({}, {}, {}, None)


def test_zero_is_shown():
    assert suppress([[0, 6], [7, 5]], row_totals=True).cells == {}


def test_one_small_cell_in_a_column_with_a_total_takes_the_next_smallest_with_it():
    out = suppress([[3], [9], [7], [0]])
    assert out.cells == {(0, 0): PRIMARY, (2, 0): COMPLEMENT}
    assert out.column_totals == {}


def test_two_small_cells_in_a_column_need_no_complement():
    assert suppress([[3], [2], [9]]).cells == {(0, 0): PRIMARY, (1, 0): PRIMARY}


def test_a_small_cell_with_only_zeros_beside_it_hides_the_total():
    out = suppress([[3], [0], [0]])
    assert out.cells == {(0, 0): PRIMARY}
    assert out.column_totals == {0: PRIMARY}  # the total is 3: small itself


def test_complements_spread_across_rows_and_columns_until_nothing_can_be_recovered():
    values = [[2, 10, 12], [8, 9, 11], [7, 6, 20]]
    out = suppress(values, row_totals=True, column_totals=True)
    hidden = set(out.cells)
    assert (0, 0) in hidden and out.cells[(0, 0)] == PRIMARY
    # every row and column with a hidden cell has at least two hidden cells
    for r in range(3):
        assert len([c for c in range(3) if (r, c) in hidden]) != 1
    for c in range(3):
        assert len([r for r in range(3) if (r, c) in hidden]) != 1


def test_whole_row_hidden_when_its_children_count_is_small():
    # children, left to permanency
    out = suppress([[3, 0], [12, 6], [20, 9]], whole_rows_by_column=0)
    assert out.cells[(0, 0)] == PRIMARY
    assert out.cells[(1, 0)] == COMPLEMENT  # 35 - 20 would give the 3 away
    assert (1, 1) in out.cells  # the complementary row goes whole too
    assert (0, 1) not in out.cells  # a zero names no child


def test_one_hidden_total_in_a_table_with_a_grand_total_takes_another():
    out = suppress([[1, 0], [0, 9], [0, 8]], row_totals=True, column_totals=True)
    assert out.column_totals.get(0) == PRIMARY
    assert len(out.column_totals) == 2


def test_hidden_marker_reads_as_words_and_in_csv():
    assert (str(Hidden(PRIMARY)), Hidden(PRIMARY).csv) == ("fewer than 5", "<5")
    assert (str(Hidden(COMPLEMENT)), Hidden(COMPLEMENT).csv) == ("hidden", "suppressed")
