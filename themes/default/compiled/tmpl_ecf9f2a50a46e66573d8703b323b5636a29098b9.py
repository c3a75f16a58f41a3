# Made by `python -m mdpm.render` from the default theme's board.html: Jinja's compiled form of it. Do not edit.
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'board.html'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    parent_template = None
    pass
    parent_template = environment.get_template('base.html', 'board.html')
    for name, parent_block in parent_template.blocks.items():
        context.blocks.setdefault(name, []).append(parent_block)
    yield from parent_template.root_render_func(context)

def block_title(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_board = resolve('board')
    pass
    if (environment.getattr((undefined(name='board') if l_0_board is missing else l_0_board), 'kind') == 'all'):
        pass
        yield 'Board'
    else:
        pass
        yield 'Board: '
        yield escape(environment.getattr((undefined(name='board') if l_0_board is missing else l_0_board), 'title'))

def block_content(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_board = resolve('board')
    l_0_site = resolve('site')
    l_0_root = resolve('root')
    l_0_icon = resolve('icon')
    l_0_cards = resolve('cards')
    try:
        t_1 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    try:
        t_2 = environment.filters['plural']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'plural' found.")
    try:
        t_3 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    yield '<div class="page-head">\n  <h1>'
    if (environment.getattr((undefined(name='board') if l_0_board is missing else l_0_board), 'kind') == 'all'):
        pass
        yield 'Board'
    elif (environment.getattr((undefined(name='board') if l_0_board is missing else l_0_board), 'kind') == 'project'):
        pass
        yield 'Board: '
        yield escape(environment.getattr((undefined(name='board') if l_0_board is missing else l_0_board), 'title'))
    else:
        pass
        yield 'Board: '
        yield escape(environment.getattr((undefined(name='board') if l_0_board is missing else l_0_board), 'title'))
        yield '’s tasks'
    yield '</h1>\n  <p class="lede">'
    yield escape(t_2(environment.getattr((undefined(name='board') if l_0_board is missing else l_0_board), 'total'), 'task'))
    if (environment.getattr((undefined(name='board') if l_0_board is missing else l_0_board), 'kind') != 'all'):
        pass
        yield ' of '
        yield escape(t_1(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'tasks')))
    yield ' · WIP limits count all projects together · as of '
    yield escape(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'as_of'))
    yield '</p>\n</div>\n\n<nav class="filters" aria-label="Filter the board">\n  <details class="filter">\n    <summary>Project: <strong>'
    if (environment.getattr((undefined(name='board') if l_0_board is missing else l_0_board), 'kind') == 'project'):
        pass
        yield escape(environment.getattr((undefined(name='board') if l_0_board is missing else l_0_board), 'title'))
    else:
        pass
        yield 'All'
    yield '</strong></summary>\n    <ul>\n      <li><a href="'
    yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
    yield 'board/index.html"'
    if (environment.getattr((undefined(name='board') if l_0_board is missing else l_0_board), 'kind') == 'all'):
        pass
        yield ' aria-current="page"'
    yield '>All projects</a></li>\n'
    for l_1_p in environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'projects'):
        _loop_vars = {}
        pass
        yield '<li><a href="'
        yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
        yield escape(environment.getattr(l_1_p, 'board_url'))
        yield '"'
        if ((environment.getattr((undefined(name='board') if l_0_board is missing else l_0_board), 'kind') == 'project') and (environment.getattr((undefined(name='board') if l_0_board is missing else l_0_board), 'key') == environment.getattr(l_1_p, 'id'))):
            pass
            yield ' aria-current="page"'
        yield '>'
        yield escape(environment.getattr(l_1_p, 'title'))
        yield '</a></li>'
    l_1_p = missing
    yield '    </ul>\n  </details>\n  <details class="filter">\n    <summary>Person: <strong>'
    if (environment.getattr((undefined(name='board') if l_0_board is missing else l_0_board), 'kind') == 'person'):
        pass
        yield escape(environment.getattr((undefined(name='board') if l_0_board is missing else l_0_board), 'title'))
    else:
        pass
        yield 'Everyone'
    yield '</strong></summary>\n    <ul>\n      <li><a href="'
    yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
    yield 'board/index.html"'
    if (environment.getattr((undefined(name='board') if l_0_board is missing else l_0_board), 'kind') == 'all'):
        pass
        yield ' aria-current="page"'
    yield '>Everyone</a></li>\n'
    for l_1_p in environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'people'):
        _loop_vars = {}
        pass
        yield '<li><a href="'
        yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
        yield 'board/person/'
        yield escape(environment.getattr(l_1_p, 'slug'))
        yield '/index.html"'
        if ((environment.getattr((undefined(name='board') if l_0_board is missing else l_0_board), 'kind') == 'person') and (environment.getattr((undefined(name='board') if l_0_board is missing else l_0_board), 'key') == environment.getattr(l_1_p, 'handle'))):
            pass
            yield ' aria-current="page"'
        yield '>'
        yield escape(environment.getattr(l_1_p, 'name'))
        if (environment.getattr(l_1_p, 'name') != environment.getattr(l_1_p, 'handle')):
            pass
            yield ' ('
            yield escape(environment.getattr(l_1_p, 'handle'))
            yield ')'
        yield '</a></li>'
    l_1_p = missing
    yield '    </ul>\n  </details>\n'
    if (environment.getattr((undefined(name='board') if l_0_board is missing else l_0_board), 'kind') != 'all'):
        pass
        yield '<a class="clear-filter" href="'
        yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
        yield 'board/index.html">Clear filter</a>'
    yield '  <div class="quick-filter" data-quick-filter hidden>\n    <label for="quick-filter-input">Find cards</label>\n    <input id="quick-filter-input" type="search" placeholder="Title, project or person" autocomplete="off">\n    <span class="quick-filter-count" aria-live="polite"></span>\n  </div>\n</nav>\n\n'
    if environment.getattr((undefined(name='board') if l_0_board is missing else l_0_board), 'expedited'):
        pass
        yield '<section class="lane-expedite" aria-labelledby="lane-expedite-h">\n  <h2 id="lane-expedite-h">'
        yield escape(context.call((undefined(name='icon') if l_0_icon is missing else l_0_icon), 'bolt', _block_vars=_block_vars))
        yield 'Expedite lane <span class="count">'
        yield escape(t_1(environment.getattr((undefined(name='board') if l_0_board is missing else l_0_board), 'expedited')))
        yield '</span></h2>\n  <p class="muted small">Urgent work that skips the queue; it does not count against stage limits.</p>\n  <div class="cards cards-row">'
        yield escape(context.call((undefined(name='cards') if l_0_cards is missing else l_0_cards), environment.getattr((undefined(name='board') if l_0_board is missing else l_0_board), 'expedited'), _block_vars=_block_vars))
        yield '</div>\n</section>\n'
    yield '\n'
    if environment.getattr((undefined(name='board') if l_0_board is missing else l_0_board), 'unplaced'):
        pass
        yield '<section class="panel panel-warn" aria-labelledby="unplaced-h">\n  <h2 id="unplaced-h">'
        yield escape(context.call((undefined(name='icon') if l_0_icon is missing else l_0_icon), 'alert', _block_vars=_block_vars))
        yield 'Not on the board: stage not in the workflow</h2>\n  <ul class="task-list">'
        for l_1_ref in environment.getattr((undefined(name='board') if l_0_board is missing else l_0_board), 'unplaced'):
            l_1_t = missing
            _loop_vars = {}
            pass
            l_1_t = environment.getitem(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'tasks'), l_1_ref)
            _loop_vars['t'] = l_1_t
            yield '<li data-task="'
            yield escape(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'ref'))
            yield '"><a href="'
            yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
            yield escape(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'url'))
            yield '">'
            yield escape(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'title'))
            yield '</a> <span class="muted">stage <code>'
            yield escape(environment.getattr((undefined(name='t') if l_1_t is missing else l_1_t), 'stage'))
            yield '</code></span></li>'
        l_1_ref = l_1_t = missing
        yield '</ul>\n</section>\n'
    yield '\n<div class="board">\n'
    for l_1_col in environment.getattr((undefined(name='board') if l_0_board is missing else l_0_board), 'columns'):
        l_1_s = missing
        _loop_vars = {}
        pass
        l_1_s = environment.getattr(l_1_col, 'stage')
        _loop_vars['s'] = l_1_s
        yield '<section class="column type-'
        yield escape(environment.getattr((undefined(name='s') if l_1_s is missing else l_1_s), 'type'))
        if environment.getattr((undefined(name='s') if l_1_s is missing else l_1_s), 'over'):
            pass
            yield ' is-over'
        elif environment.getattr((undefined(name='s') if l_1_s is missing else l_1_s), 'at_limit'):
            pass
            yield ' is-at-limit'
        yield '" id="stage-'
        yield escape(environment.getattr((undefined(name='s') if l_1_s is missing else l_1_s), 'id'))
        yield '" data-stage="'
        yield escape(environment.getattr((undefined(name='s') if l_1_s is missing else l_1_s), 'id'))
        yield '" data-count="'
        yield escape(environment.getattr((undefined(name='s') if l_1_s is missing else l_1_s), 'count'))
        yield '"'
        if (not t_3(environment.getattr((undefined(name='s') if l_1_s is missing else l_1_s), 'limit'))):
            pass
            yield ' data-limit="'
            yield escape(environment.getattr((undefined(name='s') if l_1_s is missing else l_1_s), 'limit'))
            yield '"'
        if environment.getattr((undefined(name='s') if l_1_s is missing else l_1_s), 'over'):
            pass
            yield ' data-over="true"'
        yield ' aria-labelledby="col-'
        yield escape(environment.getattr((undefined(name='s') if l_1_s is missing else l_1_s), 'id'))
        yield '">\n  <header class="column-head">\n    <h2 id="col-'
        yield escape(environment.getattr((undefined(name='s') if l_1_s is missing else l_1_s), 'id'))
        yield '">'
        yield escape(environment.getattr((undefined(name='s') if l_1_s is missing else l_1_s), 'title'))
        yield '</h2>\n    <p class="wip"><span class="wip-count">'
        yield escape(environment.getattr((undefined(name='s') if l_1_s is missing else l_1_s), 'count'))
        yield '</span><span class="visually-hidden"> '
        yield escape(('task' if (environment.getattr((undefined(name='s') if l_1_s is missing else l_1_s), 'count') == 1) else 'tasks'))
        yield '</span>'
        if (not t_3(environment.getattr((undefined(name='s') if l_1_s is missing else l_1_s), 'limit'))):
            pass
            yield '<span class="wip-limit"><span aria-hidden="true">/</span><span class="visually-hidden">, limit </span>'
            yield escape(environment.getattr((undefined(name='s') if l_1_s is missing else l_1_s), 'limit'))
            yield '</span>'
        yield '</p>\n  </header>\n'
        if environment.getattr((undefined(name='s') if l_1_s is missing else l_1_s), 'over'):
            pass
            yield '<p class="over-flag">'
            yield escape(context.call((undefined(name='icon') if l_0_icon is missing else l_0_icon), 'alert', _loop_vars=_loop_vars))
            yield 'Over limit by '
            yield escape((environment.getattr((undefined(name='s') if l_1_s is missing else l_1_s), 'count') - environment.getattr((undefined(name='s') if l_1_s is missing else l_1_s), 'limit')))
            yield ': finish work before starting more</p>\n'
        elif environment.getattr((undefined(name='s') if l_1_s is missing else l_1_s), 'at_limit'):
            pass
            yield '<p class="limit-flag">At its limit</p>'
        if (((environment.getattr((undefined(name='board') if l_0_board is missing else l_0_board), 'kind') != 'all') and environment.getattr(l_1_col, 'refs')) and (t_1(environment.getattr(l_1_col, 'refs')) != environment.getattr((undefined(name='s') if l_1_s is missing else l_1_s), 'count'))):
            pass
            yield '<p class="muted small column-note">'
            yield escape(t_1(environment.getattr(l_1_col, 'refs')))
            yield ' of '
            yield escape(environment.getattr((undefined(name='s') if l_1_s is missing else l_1_s), 'count'))
            yield ' shown here</p>'
        yield '  <div class="cards">\n'
        if environment.getattr(l_1_col, 'refs'):
            pass
            yield escape(context.call((undefined(name='cards') if l_0_cards is missing else l_0_cards), environment.getattr(l_1_col, 'refs'), _loop_vars=_loop_vars))
        else:
            pass
            yield '<p class="empty">No tasks</p>'
        yield '  </div>\n</section>\n'
    l_1_col = l_1_s = missing
    yield '</div>\n'

def block_scripts(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_root = resolve('root')
    pass
    yield '<script src="'
    yield escape((undefined(name='root') if l_0_root is missing else l_0_root))
    yield 'static/board.js" defer></script>'

blocks = {'title': block_title, 'content': block_content, 'scripts': block_scripts}
debug_info = '1=12&3=17&4=34&6=66&7=79&12=87&14=94&15=100&19=115&21=122&22=128&25=149&33=155&35=158&37=162&41=165&43=168&44=170&49=189&50=193&51=196&53=221&54=225&56=235&57=242&58=245&60=253&66=263'